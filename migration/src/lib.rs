//! Schema migrations, applied at start-up and by the `migrate` subcommand.
//! Each file is one step; never edit a step that has shipped, add a new one.

pub use sea_orm_migration::prelude::*;

pub mod database;
mod m20261123_000001_accounts;
mod m20261123_000002_offer_catalog;
mod m20261123_000003_partnerships;
mod m20261123_000004_customers;
mod m20261123_000005_provider_directory;
mod m20261123_000006_audit_log;
mod m20261124_000007_outbox_lookup_indexes;
mod m20261124_000008_hardening;
mod m20261124_000009_webhooks;
mod m20261124_000010_languages;
mod m20261124_000011_audit_messages;
mod m20261124_000012_keyset_indexes;
mod m20261125_000013_webhook_audit_without_urls;
mod m20261206_000014_admin_relationships;
mod m20261206_000015_api_clients;
mod m20261206_000016_mfa;
mod m20261206_000017_price_lists;
mod m20261206_000018_terms;
mod m20261206_000019_customer_imports;
mod m20261206_000020_trusted_documents;
mod m20261207_000021_subscription_terms_required;
mod m20261207_000022_outbound_email_trace;
mod offer_seed;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_accounts::Migration),
            Box::new(m20261123_000002_offer_catalog::Migration),
            Box::new(m20261123_000003_partnerships::Migration),
            Box::new(m20261123_000004_customers::Migration),
            Box::new(m20261123_000005_provider_directory::Migration),
            Box::new(m20261123_000006_audit_log::Migration),
            Box::new(m20261124_000007_outbox_lookup_indexes::Migration),
            Box::new(m20261124_000008_hardening::Migration),
            Box::new(m20261124_000009_webhooks::Migration),
            Box::new(m20261124_000010_languages::Migration),
            Box::new(m20261124_000011_audit_messages::Migration),
            Box::new(m20261124_000012_keyset_indexes::Migration),
            Box::new(m20261125_000013_webhook_audit_without_urls::Migration),
            Box::new(m20261206_000014_admin_relationships::Migration),
            Box::new(m20261206_000015_api_clients::Migration),
            Box::new(m20261206_000016_mfa::Migration),
            Box::new(m20261206_000017_price_lists::Migration),
            Box::new(m20261206_000018_terms::Migration),
            Box::new(m20261206_000019_customer_imports::Migration),
            Box::new(m20261206_000020_trusted_documents::Migration),
            Box::new(m20261207_000021_subscription_terms_required::Migration),
            Box::new(m20261207_000022_outbound_email_trace::Migration),
        ]
    }
}
