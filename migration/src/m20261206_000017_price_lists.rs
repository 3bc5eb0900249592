//! Price lists (issue 24): a provider's lists of its resellers' prices, kept as versions
//! (one row per `setResellerPrice`, never edited), which resellers each list is assigned
//! to (at most one list per reseller and provider), and on every order line the list
//! price and the reseller's price in force when it was placed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Lists::Table)
                    .col(pk_auto(Lists::Id))
                    .col(integer(Lists::ProviderId))
                    .col(string_len(Lists::Name, 200))
                    .col(boolean(Lists::IsDefault))
                    .col(timestamp_with_time_zone(Lists::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Lists::Table, Lists::ProviderId)
                            .to(Alias::new("partners"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_price_lists_provider")
                    .table(Lists::Table)
                    .col(Lists::ProviderId)
                    .col(Lists::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Prices::Table)
                    .col(pk_auto(Prices::Id))
                    .col(integer(Prices::PriceListId))
                    .col(integer(Prices::OfferId))
                    // Exactly one of the two is set (checked by the service).
                    .col(big_integer_null(Prices::UnitPriceMinor))
                    // The markup in ten-thousandths of a percent: "-12.5" is -125000.
                    .col(big_integer_null(Prices::MarkupPercentE4))
                    .col(string_len(Prices::Currency, 3))
                    .col(timestamp_with_time_zone(Prices::EffectiveFrom))
                    .col(timestamp_with_time_zone(Prices::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Prices::Table, Prices::PriceListId)
                            .to(Lists::Table, Lists::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Prices::Table, Prices::OfferId)
                            .to(Alias::new("offers"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_price_list_prices_version")
                    .table(Prices::Table)
                    .col(Prices::PriceListId)
                    .col(Prices::OfferId)
                    .col(Prices::EffectiveFrom)
                    .col(Prices::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Assignments::Table)
                    .col(pk_auto(Assignments::Id))
                    .col(integer(Assignments::PriceListId))
                    .col(integer(Assignments::ProviderId))
                    .col(integer(Assignments::ResellerId))
                    .col(timestamp_with_time_zone(Assignments::AssignedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Assignments::Table, Assignments::PriceListId)
                            .to(Lists::Table, Lists::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One list per reseller and provider: assigning another list moves the reseller.
        manager
            .create_index(
                Index::create()
                    .name("idx_price_list_resellers_pair")
                    .table(Assignments::Table)
                    .col(Assignments::ProviderId)
                    .col(Assignments::ResellerId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Lines::Table)
                    .add_column(big_integer_null(Lines::ListUnitPriceMinor))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Lines::Table)
                    .add_column(big_integer_null(Lines::ResellerUnitPriceMinor))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Lines::ResellerUnitPriceMinor, Lines::ListUnitPriceMinor] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Lines::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(Assignments::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Prices::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Lists::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Lists {
    #[sea_orm(iden = "price_lists")]
    Table,
    Id,
    ProviderId,
    Name,
    IsDefault,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Prices {
    #[sea_orm(iden = "price_list_prices")]
    Table,
    Id,
    PriceListId,
    OfferId,
    UnitPriceMinor,
    MarkupPercentE4,
    Currency,
    EffectiveFrom,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Assignments {
    #[sea_orm(iden = "price_list_resellers")]
    Table,
    Id,
    PriceListId,
    ProviderId,
    ResellerId,
    AssignedAt,
}

#[derive(DeriveIden)]
enum Lines {
    #[sea_orm(iden = "order_lines")]
    Table,
    ListUnitPriceMinor,
    ResellerUnitPriceMinor,
}
