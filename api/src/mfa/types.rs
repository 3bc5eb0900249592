//! GraphQL types of multi-factor sign-in.

use async_graphql::{Enum, ID, Json, SimpleObject};
use chrono::{DateTime, Utc};

/// A second factor.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum MfaMethod {
    /// Codes from an authenticator app (TOTP, RFC 6238).
    Totp,
    /// One of the ten single-use recovery codes handed out when TOTP was turned on.
    RecoveryCode,
    /// A passkey (WebAuthn).
    Passkey,
}

/// The step between the password and the session, returned by `login` for a user holding
/// a second factor: pass `token` to `verifyMfa` (or `beginPasskeySignIn`) within five
/// minutes. Single use; a wrong code does not use it up.
#[derive(SimpleObject)]
pub struct MfaChallenge {
    /// The challenge token. Shown once.
    pub token: String,
    /// The factors the user can answer with.
    pub methods: Vec<MfaMethod>,
    /// When the challenge stops working (then sign in with the password again).
    pub expires_at: DateTime<Utc>,
}

impl From<super::challenge::Issued> for MfaChallenge {
    fn from(issued: super::challenge::Issued) -> Self {
        Self {
            token: issued.token,
            methods: issued.methods,
            expires_at: issued.expires_at,
        }
    }
}

/// A passkey a user registered as a second factor.
#[derive(SimpleObject)]
pub struct Passkey {
    /// The passkey's id (opaque), for `removePasskey`.
    pub id: ID,
    /// The user's name for it.
    pub name: String,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// When it last completed a sign-in; null if never.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// WebAuthn options for the browser (`navigator.credentials.create` / `get`, after
/// decoding the base64url fields), as the server library writes them.
pub type Options = Json<serde_json::Value>;
