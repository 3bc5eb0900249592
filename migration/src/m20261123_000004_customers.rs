//! Customers, their subscriptions, orders with one line per change, and customer users.

use crate::m20261123_000001_accounts::{Partners, Users};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Customers::Table)
                    .col(pk_auto(Customers::Id))
                    .col(integer(Customers::ProviderId))
                    .col(integer_null(Customers::ResellerId))
                    .col(string(Customers::CompanyName))
                    .col(string_uniq(Customers::Domain))
                    .col(string_len(Customers::Country, 2))
                    .col(string(Customers::AddressLine1))
                    .col(string_null(Customers::AddressLine2))
                    .col(string(Customers::City))
                    .col(string_len(Customers::PostalCode, 32))
                    .col(string(Customers::BillingContactName))
                    .col(string(Customers::BillingContactEmail))
                    .col(string_len_null(Customers::BillingContactPhone, 40))
                    .col(string_len(Customers::Language, 16))
                    .col(string_len_null(Customers::IdempotencyKey, 128))
                    .col(integer_null(Customers::AzureTenantOwnerId))
                    .col(timestamp_with_time_zone(Customers::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Customers::Table, Customers::ProviderId)
                            .to(Partners::Table, Partners::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Customers::Table, Customers::ResellerId)
                            .to(Partners::Table, Partners::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            (
                "idx_customers_provider",
                vec![Customers::ProviderId, Customers::Id],
                false,
            ),
            (
                "idx_customers_reseller",
                vec![Customers::ResellerId, Customers::Id],
                false,
            ),
            // A retried createCustomer with the same key finds the first customer.
            (
                "uq_customers_idempotency",
                vec![Customers::ProviderId, Customers::IdempotencyKey],
                true,
            ),
        ] {
            let mut index = Index::create()
                .name(name)
                .table(Customers::Table)
                .to_owned();
            for col in cols {
                index.col(col);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Subscriptions::Table)
                    .col(pk_auto(Subscriptions::Id))
                    .col(integer(Subscriptions::CustomerId))
                    .col(integer(Subscriptions::OfferId))
                    .col(integer(Subscriptions::Quantity))
                    .col(string_len(Subscriptions::Status, 16))
                    .col(integer_null(Subscriptions::PartnerOfRecordId))
                    .col(integer(Subscriptions::SupportContactPartnerId))
                    .col(integer_null(Subscriptions::UpgradedFromId))
                    .col(timestamp_with_time_zone(Subscriptions::CreatedAt))
                    .col(timestamp_with_time_zone(Subscriptions::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Subscriptions::Table, Subscriptions::CustomerId)
                            .to(Customers::Table, Customers::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Subscriptions::Table, Subscriptions::OfferId)
                            .to(Offers::Table, Offers::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Subscriptions::Table, Subscriptions::PartnerOfRecordId)
                            .to(Partners::Table, Partners::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Subscriptions::Table, Subscriptions::SupportContactPartnerId)
                            .to(Partners::Table, Partners::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_subscriptions_customer", Subscriptions::CustomerId),
            (
                "idx_subscriptions_partner_of_record",
                Subscriptions::PartnerOfRecordId,
            ),
            (
                "idx_subscriptions_support_contact",
                Subscriptions::SupportContactPartnerId,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Subscriptions::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Orders::Table)
                    .col(pk_auto(Orders::Id))
                    .col(integer(Orders::CustomerId))
                    .col(integer(Orders::ProviderId))
                    .col(integer(Orders::PlacedByUserId))
                    .col(integer_null(Orders::OnBehalfOfResellerId))
                    .col(timestamp_with_time_zone(Orders::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Orders::Table, Orders::CustomerId)
                            .to(Customers::Table, Customers::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Orders::Table, Orders::PlacedByUserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_orders_customer")
                    .table(Orders::Table)
                    .col(Orders::CustomerId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrderLines::Table)
                    .col(pk_auto(OrderLines::Id))
                    .col(integer(OrderLines::OrderId))
                    .col(string_len(OrderLines::Kind, 24))
                    .col(integer(OrderLines::SubscriptionId))
                    .col(integer(OrderLines::OfferId))
                    .col(integer(OrderLines::QuantityChange))
                    .col(big_integer(OrderLines::MonthlyUnitPriceMinor))
                    .col(string_len(OrderLines::Currency, 3))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OrderLines::Table, OrderLines::OrderId)
                            .to(Orders::Table, Orders::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OrderLines::Table, OrderLines::SubscriptionId)
                            .to(Subscriptions::Table, Subscriptions::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_order_lines_order")
                    .table(OrderLines::Table)
                    .col(OrderLines::OrderId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RelationshipRequests::Table)
                    .col(pk_auto(RelationshipRequests::Id))
                    .col(integer(RelationshipRequests::ProviderId))
                    .col(integer(RelationshipRequests::CustomerId))
                    .col(integer(RelationshipRequests::ResellerId))
                    .col(string_len_uniq(RelationshipRequests::TokenHash, 64))
                    .col(string_len(RelationshipRequests::Status, 16))
                    .col(integer(RelationshipRequests::CreatedByUserId))
                    .col(timestamp_with_time_zone(RelationshipRequests::CreatedAt))
                    .col(timestamp_with_time_zone(RelationshipRequests::ExpiresAt))
                    .col(timestamp_with_time_zone_null(
                        RelationshipRequests::RespondedAt,
                    ))
                    .col(integer_null(RelationshipRequests::OutboundEmailId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                RelationshipRequests::Table,
                                RelationshipRequests::CustomerId,
                            )
                            .to(Customers::Table, Customers::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                RelationshipRequests::Table,
                                RelationshipRequests::ResellerId,
                            )
                            .to(Partners::Table, Partners::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_relationship_requests_expiry")
                    .table(RelationshipRequests::Table)
                    .col(RelationshipRequests::Status)
                    .col(RelationshipRequests::ExpiresAt)
                    .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(integer_null(UsersCustomer::CustomerId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_users_customer")
                    .table(Users::Table)
                    .col(UsersCustomer::CustomerId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_users_customer")
                    .table(Users::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(UsersCustomer::CustomerId)
                    .to_owned(),
            )
            .await?;
        for table in [
            RelationshipRequests::Table.into_iden(),
            OrderLines::Table.into_iden(),
            Orders::Table.into_iden(),
            Subscriptions::Table.into_iden(),
            Customers::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum RelationshipRequests {
    #[sea_orm(iden = "customer_relationship_requests")]
    Table,
    Id,
    ProviderId,
    CustomerId,
    ResellerId,
    TokenHash,
    Status,
    CreatedByUserId,
    CreatedAt,
    ExpiresAt,
    RespondedAt,
    OutboundEmailId,
}

#[derive(DeriveIden)]
enum UsersCustomer {
    CustomerId,
}

#[derive(DeriveIden)]
enum Offers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
    ProviderId,
    ResellerId,
    CompanyName,
    Domain,
    Country,
    AddressLine1,
    AddressLine2,
    City,
    PostalCode,
    BillingContactName,
    BillingContactEmail,
    BillingContactPhone,
    Language,
    IdempotencyKey,
    AzureTenantOwnerId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Subscriptions {
    Table,
    Id,
    CustomerId,
    OfferId,
    Quantity,
    Status,
    PartnerOfRecordId,
    SupportContactPartnerId,
    UpgradedFromId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
    CustomerId,
    ProviderId,
    PlacedByUserId,
    OnBehalfOfResellerId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OrderLines {
    Table,
    Id,
    OrderId,
    Kind,
    SubscriptionId,
    OfferId,
    QuantityChange,
    MonthlyUnitPriceMinor,
    Currency,
}
