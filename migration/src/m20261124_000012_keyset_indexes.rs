//! Keyset paging (issue 15): every list reads "the n rows beyond this key" in the order
//! `(filter columns…, sort key…, id)`, which a matching index serves from its first entry
//! onwards, whatever the page. These are the lists' filters whose index lacked the key:
//!
//! - the audit log by action (platform administrators' usual filter);
//! - a provider's invitations without a status filter, a reseller's partnerships;
//! - an organization's users, a provider's profile change requests;
//! - the platform's profile request queue by due date (with and without a status);
//! - the public directory: ACTIVE providers by name.
//!
//! Two older indexes are prefixes of new ones and are replaced.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (name, table, columns) of each index added.
const INDEXES: &[(&str, &str, &str)] = &[
    ("idx_audit_action", "audit_entries", "action, id"),
    (
        "idx_invitations_provider_id",
        "partnership_invitations",
        "provider_id, id",
    ),
    (
        "idx_partnerships_reseller_id",
        "partnerships",
        "reseller_id, id",
    ),
    ("idx_users_partner_id", "users", "partner_id, id"),
    (
        "idx_profile_requests_partner",
        "profile_change_requests",
        "partner_id, id",
    ),
    (
        "idx_profile_requests_due",
        "profile_change_requests",
        "due_by, id",
    ),
    (
        "idx_profile_requests_status_due",
        "profile_change_requests",
        "status, due_by, id",
    ),
    (
        "idx_partners_directory",
        "partners",
        "kind, enrollment_status, company_name, id",
    ),
];

/// (name, table, columns) of the indexes the new ones make redundant.
const REPLACED: &[(&str, &str, &str)] = &[
    ("idx_users_partner", "users", "partner_id"),
    (
        "idx_profile_requests_queue",
        "profile_change_requests",
        "status, due_by",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, table, columns) in INDEXES {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON {table} ({columns})"))
                .await?;
        }
        for (name, _, _) in REPLACED {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, table, columns) in REPLACED {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON {table} ({columns})"))
                .await?;
        }
        for (name, _, _) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        Ok(())
    }
}
