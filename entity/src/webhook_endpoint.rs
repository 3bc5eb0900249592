//! Where an organization wants its events delivered (Standard Webhooks), with the secret
//! the worker signs with. Managed by the organization's ADMINs; the secret is shown once,
//! when created or rotated.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub partner_id: i32,
    pub url: String,
    pub description: Option<String>,
    /// The dotted event types delivered, as `,a.b,c.d,`; empty for every type.
    pub event_types: String,
    /// `whsec_` + base64 of 32 random bytes.
    pub secret: String,
    /// After a rotation the old secret also signs (a second signature) until this time, so
    /// a receiver can switch without dropping messages.
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<DateTimeUtc>,
    pub enabled: bool,
    /// Why it was disabled (by the platform after failing too long, or by its ADMIN).
    pub disabled_reason: Option<String>,
    /// Start of the current run of failed attempts; cleared by a delivery that works.
    pub failing_since: Option<DateTimeUtc>,
    pub created_by_user_id: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The stored form of a set of dotted event types (see [`Model::event_types`]).
pub fn encode_event_types<'a>(types: impl IntoIterator<Item = &'a str>) -> String {
    let mut types: Vec<&str> = types.into_iter().collect();
    types.sort_unstable();
    types.dedup();
    if types.is_empty() {
        String::new()
    } else {
        format!(",{},", types.join(","))
    }
}

/// The dotted event types of an endpoint; empty for every type.
pub fn decode_event_types(stored: &str) -> Vec<&str> {
    stored.split(',').filter(|t| !t.is_empty()).collect()
}
