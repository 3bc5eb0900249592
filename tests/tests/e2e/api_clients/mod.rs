//! API clients (issue 22): machine credentials, the OAuth 2.0 client-credentials endpoint,
//! scopes enforced from the per-field policy table, and the cost budget.

use e2e::TestApp;
use serde_json::{Value, json};

mod budget;
mod leases;
mod lifecycle;
mod oauth;
mod replicas;
mod scopes;

pub const CREATE: &str =
    "mutation($input: CreateApiClientInput!) { createApiClient(input: $input) {
  client { id clientId name scopes expiresAt lastUsedAt revokedAt createdBy { email } }
  clientId clientSecret userErrors { code field message } } }";

/// A created client: (global id, client id, secret).
pub struct Created {
    pub id: String,
    pub client_id: String,
    pub secret: String,
}

/// Creates a client with `scopes` (upper snake) as the ADMIN `admin`.
pub async fn create(app: &TestApp, admin: &str, scopes: &[&str]) -> Created {
    create_with(app, admin, json!({ "name": "ERP sync", "scopes": scopes })).await
}

pub async fn create_with(app: &TestApp, admin: &str, input: Value) -> Created {
    let res = app
        .gql(CREATE, json!({ "input": input }), Some(admin))
        .await;
    let payload = &res.data()["createApiClient"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    Created {
        id: payload["client"]["id"].as_str().unwrap().to_owned(),
        client_id: payload["clientId"].as_str().unwrap().to_owned(),
        secret: payload["clientSecret"].as_str().unwrap().to_owned(),
    }
}

/// `POST /oauth/token` with HTTP Basic: (status, JSON body).
pub async fn token_request(
    app: &TestApp,
    id: &str,
    secret: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let res = app
        .client
        .post(format!("{}/oauth/token", app.address))
        .basic_auth(id, Some(secret))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

/// An access token for the client, with all its scopes or `scope` (dotted, spaced).
pub async fn access_token(app: &TestApp, client: &Created, scope: Option<&str>) -> String {
    let mut form = vec![("grant_type", "client_credentials")];
    if let Some(scope) = scope {
        form.push(("scope", scope));
    }
    let (status, body) = token_request(app, &client.client_id, &client.secret, &form).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

/// A provider ADMIN's session token.
pub async fn provider(app: &TestApp) -> String {
    app.active_partner(
        "INDIRECT_PROVIDER",
        "Contoso Distribution",
        "admin@contoso.test",
    )
    .await
    .1
}

/// Every scope, upper snake.
pub const ALL_SCOPES: [&str; 9] = [
    "CUSTOMERS_READ",
    "CUSTOMERS_WRITE",
    "ORDERS_WRITE",
    "PARTNERSHIPS_READ",
    "PARTNERSHIPS_WRITE",
    "WEBHOOKS_MANAGE",
    "AUDIT_READ",
    "EVENTS_READ",
    "DIRECTORY_WRITE",
];
