//! Partnerships with indirect resellers: invitations by email through the outbox and the
//! worker, acceptance, refusals, expiry, faults, and tenant isolation.

mod delivery;
mod expiry;
mod flow;
mod isolation;
mod landing;
mod refusals;
mod regressions;

use e2e::TestApp;
use serde_json::{Value, json};

pub const REQUEST: &str = "mutation($input: RequestPartnershipInput!) {
  requestPartnership(input: $input) {
    link
    invitation { id status resellerEmail expiresAt delivery { status attempts lastError sentAt } }
    draft { to subject body mailtoUri clipboardText }
    userErrors { code field message }
  }
}";

pub const ACCEPT: &str = "mutation($token: String!) { acceptPartnershipInvitation(input: {token: $token}) {
  partnership { id status provider { companyName } reseller { companyName } } userErrors { code field message } } }";

pub const DECLINE: &str =
    "mutation($token: String!) { declinePartnershipInvitation(input: {token: $token}) {
  declined userErrors { code message } } }";

pub const INVITATION: &str = "query($id: ID!) { node(id: $id) { ... on PartnershipInvitation {
  status delivery { status attempts lastError sentAt } } } }";

/// A requested invitation as the provider sees it.
pub struct Invited {
    pub id: String,
    pub link: String,
    pub token: String,
    pub payload: Value,
}

pub async fn request(app: &TestApp, provider: &str, email: &str) -> Invited {
    request_with(app, provider, json!({ "resellerEmail": email })).await
}

pub async fn request_with(app: &TestApp, provider: &str, input: Value) -> Invited {
    let res = app
        .gql(REQUEST, json!({ "input": input }), Some(provider))
        .await;
    let payload = res.data()["requestPartnership"].clone();
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    let link = payload["link"].as_str().unwrap().to_owned();
    Invited {
        id: payload["invitation"]["id"].as_str().unwrap().to_owned(),
        token: token_of(&link),
        link,
        payload,
    }
}

pub fn token_of(link: &str) -> String {
    link.split("token=")
        .nth(1)
        .expect("token in link")
        .to_owned()
}

/// The first user error code of a mutation payload.
pub fn user_error(res: &e2e::Gql, field: &str) -> String {
    res.data()[field]["userErrors"][0]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected a user error: {}", res.body))
        .to_owned()
}

/// Delivery status of an invitation, as the provider sees it.
pub async fn delivery(app: &TestApp, provider: &str, invitation_id: &str) -> Value {
    let res = app
        .gql(INVITATION, json!({ "id": invitation_id }), Some(provider))
        .await;
    res.data()["node"]["delivery"].clone()
}

/// An ACTIVE provider and an ACTIVE reseller: (provider token, reseller token).
pub async fn provider_and_reseller(app: &TestApp) -> (String, String) {
    let (_, provider) = app
        .active_partner(
            "INDIRECT_PROVIDER",
            "Contoso Distribution",
            "admin@contoso.test",
        )
        .await;
    let (_, reseller) = app
        .active_partner(
            "INDIRECT_RESELLER",
            "Fabrikam Solutions",
            "admin@fabrikam.test",
        )
        .await;
    (provider, reseller)
}
