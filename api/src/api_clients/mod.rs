//! API clients: an organization's own systems calling the API with machine credentials.
//! Owns the clients (`createApiClient`, rotation, revocation, `apiClients`), the OAuth 2.0
//! client-credentials token endpoint (`POST /oauth/token`, `oauth`), the access tokens it
//! issues (`tokens`: resolved to an `Actor` like sessions) and the scopes (`scope`). Which
//! field needs which scope is not here but in the one per-field table,
//! `graphql::policy`.

pub mod graphql;
pub mod oauth;
mod scope;
pub mod service;
pub mod tokens;

pub use graphql::{ApiClient, ApiClientMutation, ApiClientQuery};
pub use scope::{ApiScope, Scopes};

/// Prefix of client ids (`pcc_`), secrets (`pcs_`) and access tokens (`pca_`): a leaked
/// string says what it is, and a bearer token is routed to its table without a lookup.
pub const CLIENT_ID_PREFIX: &str = "pcc_";
pub const SECRET_PREFIX: &str = "pcs_";
pub const ACCESS_TOKEN_PREFIX: &str = "pca_";

/// True for the bearer tokens of `POST /oauth/token`.
pub fn is_access_token(bearer: &str) -> bool {
    bearer.starts_with(ACCESS_TOKEN_PREFIX)
}

/// `prefix` + base64url of `n` random bytes.
fn random(prefix: &str, n: usize) -> String {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    use rand::RngCore;
    let mut bytes = vec![0u8; n];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}
