//! An end customer's tenant, created by an indirect provider, optionally delegated to an
//! indirect reseller who then administers it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub provider_id: i32,
    /// The reseller with delegated administration, if any.
    pub reseller_id: Option<i32>,
    pub company_name: String,
    /// The tenant's domain, unique across the program (e.g. `fourthcoffee.example`).
    #[sea_orm(unique)]
    pub domain: String,
    pub country: String,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub city: String,
    pub postal_code: String,
    pub billing_contact_name: String,
    pub billing_contact_email: String,
    pub billing_contact_phone: Option<String>,
    /// BCP 47 tag, e.g. `en-US`.
    pub language: String,
    /// The key of the `createCustomer` call that created it (retries return this customer).
    pub idempotency_key: Option<String>,
    /// The reseller holding the tenant-owner role on this Azure customer.
    pub azure_tenant_owner_id: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
