//! Admin relationships (issue 21): granular, time-bound delegated administration. The
//! single designation of earlier versions (`customers.reseller_id`, and the Azure tenant
//! owner) becomes one ACTIVE relationship per customer with the default roles (every role
//! but TENANT_OWNER, which is added where that reseller owns the tenant), 730 days from
//! now, not auto-extending. `customers.reseller_id` stays, as a copy of the reseller of the
//! newest ACTIVE relationship; access is decided by the relationships.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::sea_query::value::prelude::{Utc, chrono::Duration};

#[derive(DeriveMigrationName)]
pub struct Migration;

const DEFAULT_ROLES: &str = "CUSTOMER_READER,ORDER_MANAGER,SUBSCRIPTION_MANAGER,USER_ADMINISTRATOR";
const WITH_TENANT_OWNER: &str =
    "CUSTOMER_READER,ORDER_MANAGER,SUBSCRIPTION_MANAGER,TENANT_OWNER,USER_ADMINISTRATOR";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Rel::Table)
                    .col(pk_auto(Rel::Id))
                    .col(integer(Rel::CustomerId))
                    .col(integer(Rel::ResellerId))
                    .col(integer(Rel::ProviderId))
                    .col(string_len(Rel::Roles, 200))
                    .col(string_len(Rel::Status, 24))
                    .col(integer(Rel::DurationDays))
                    .col(boolean(Rel::AutoExtend))
                    .col(integer_null(Rel::CreatedByUserId))
                    .col(timestamp_with_time_zone(Rel::CreatedAt))
                    .col(timestamp_with_time_zone(Rel::ApprovalExpiresAt))
                    .col(timestamp_with_time_zone_null(Rel::ApprovedAt))
                    .col(timestamp_with_time_zone_null(Rel::EndsAt))
                    .col(timestamp_with_time_zone_null(Rel::TerminatedAt))
                    .col(string_len_null(Rel::TokenHash, 64).unique_key())
                    .col(integer_null(Rel::OutboundEmailId))
                    .col(integer_null(Rel::RemindedDays))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Rel::Table, Rel::CustomerId)
                            .to(Alias::new("customers"), Alias::new("id")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Rel::Table, Rel::ResellerId)
                            .to(Alias::new("partners"), Alias::new("id")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Rel::Table, Rel::ProviderId)
                            .to(Alias::new("partners"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        // Access: a reseller's relationships on one customer; lists: a party's relationships.
        for (name, cols) in [
            (
                "idx_admin_relationships_customer_reseller",
                vec![Rel::CustomerId, Rel::ResellerId, Rel::Status],
            ),
            (
                "idx_admin_relationships_reseller",
                vec![Rel::ResellerId, Rel::Status, Rel::Id],
            ),
            (
                "idx_admin_relationships_provider",
                vec![Rel::ProviderId, Rel::ResellerId, Rel::Status],
            ),
            // The worker's expiry and reminders: due rows by status and end.
            (
                "idx_admin_relationships_due",
                vec![Rel::Status, Rel::EndsAt],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Rel::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }

        // Every existing designation becomes an ACTIVE relationship.
        let now = Utc::now();
        let ends = now + Duration::days(730);
        let roles = Expr::case(
            Expr::col(Customers::AzureTenantOwnerId).equals(Customers::ResellerId),
            WITH_TENANT_OWNER,
        )
        .finally(DEFAULT_ROLES);
        let select = Query::select()
            .column(Customers::Id)
            .column(Customers::ResellerId)
            .column(Customers::ProviderId)
            .expr(roles)
            .expr(Expr::val("ACTIVE"))
            .expr(Expr::val(730))
            .expr(Expr::val(false))
            .expr(Expr::val(now))
            .expr(Expr::val(now))
            .expr(Expr::val(now))
            .expr(Expr::val(ends))
            .from(Customers::Table)
            .and_where(Expr::col(Customers::ResellerId).is_not_null())
            .to_owned();
        let insert = Query::insert()
            .into_table(Rel::Table)
            .columns([
                Rel::CustomerId,
                Rel::ResellerId,
                Rel::ProviderId,
                Rel::Roles,
                Rel::Status,
                Rel::DurationDays,
                Rel::AutoExtend,
                Rel::CreatedAt,
                Rel::ApprovalExpiresAt,
                Rel::ApprovedAt,
                Rel::EndsAt,
            ])
            .select_from(select)
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned();
        manager.exec_stmt(insert).await?;
        // A tenant owner that is not the customer's reseller (none should exist) keeps no
        // rights without a relationship: its ownership is cleared.
        let clear =
            Query::update()
                .table(Customers::Table)
                .value(Customers::AzureTenantOwnerId, Option::<i32>::None)
                .and_where(Expr::col(Customers::AzureTenantOwnerId).is_not_null())
                .and_where(Expr::col(Customers::ResellerId).is_null().or(
                    Expr::col(Customers::AzureTenantOwnerId).ne(Expr::col(Customers::ResellerId)),
                ))
                .to_owned();
        manager.exec_stmt(clear).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Rel::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Rel {
    #[sea_orm(iden = "admin_relationships")]
    Table,
    Id,
    CustomerId,
    ResellerId,
    ProviderId,
    Roles,
    Status,
    DurationDays,
    AutoExtend,
    CreatedByUserId,
    CreatedAt,
    ApprovalExpiresAt,
    ApprovedAt,
    EndsAt,
    TerminatedAt,
    TokenHash,
    OutboundEmailId,
    RemindedDays,
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
    ResellerId,
    ProviderId,
    AzureTenantOwnerId,
}
