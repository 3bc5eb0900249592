//! SeaORM entities: one module per table. Enums that the API exposes derive
//! `async_graphql::Enum` behind the `graphql` feature so there is one definition of each.

pub mod admin_relationship;
pub mod api_client;
pub mod api_client_token;
pub mod audit_entry;
pub mod customer;
pub mod customer_import;
pub mod customer_import_credential;
pub mod customer_import_row;
pub mod customer_relationship_request;
pub mod enums;
pub mod event_type;
pub mod logo;
pub mod mfa_challenge;
pub mod mfa_passkey;
pub mod mfa_recovery_code;
pub mod mfa_totp;
pub mod offer;
pub mod offer_country;
pub mod offer_upgrade;
pub mod order;
pub mod order_line;
pub mod outbound_email;
pub mod partner;
pub mod partnership;
pub mod partnership_invitation;
pub mod price_list;
pub mod price_list_price;
pub mod price_list_reseller;
pub mod pricing;
pub mod profile_change_request;
pub mod provider_location;
pub mod provider_profile;
pub mod rate_limit_hit;
pub mod session;
pub mod subscription;
pub mod terms;
pub mod trusted_document;
pub mod user;
pub mod webhook_delivery;
pub mod webhook_endpoint;

pub mod prelude {
    pub use super::offer::Entity as Offer;
    pub use super::offer_country::Entity as OfferCountry;
    pub use super::offer_upgrade::Entity as OfferUpgrade;
    pub use super::outbound_email::Entity as OutboundEmail;
    pub use super::partner::Entity as Partner;
    pub use super::partnership::Entity as Partnership;
    pub use super::partnership_invitation::Entity as PartnershipInvitation;
    pub use super::session::Entity as Session;
    pub use super::user::Entity as User;
}
