//! The offer catalog (offers, the countries each is sold in, upgrade paths) and its seed.

use crate::offer_seed::{OFFERS, OfferSeed};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Offers::Table)
                    .col(pk_auto(Offers::Id))
                    .col(string_len_uniq(Offers::Sku, 64))
                    .col(string(Offers::Name))
                    .col(text(Offers::Description))
                    .col(string_len(Offers::Category, 16))
                    .col(integer(Offers::MinQuantity))
                    .col(integer(Offers::MaxQuantity))
                    .col(big_integer(Offers::MonthlyUnitPriceMinor))
                    .col(string_len(Offers::Currency, 3))
                    .col(string_len(Offers::BillingCycle, 16))
                    .col(integer(Offers::TermMonths))
                    .col(boolean(Offers::IsAddOn))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OfferCountries::Table)
                    .col(integer(OfferCountries::OfferId))
                    .col(string_len(OfferCountries::Country, 2))
                    .primary_key(
                        Index::create()
                            .col(OfferCountries::OfferId)
                            .col(OfferCountries::Country),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OfferCountries::Table, OfferCountries::OfferId)
                            .to(Offers::Table, Offers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_offer_countries_country")
                    .table(OfferCountries::Table)
                    .col(OfferCountries::Country)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OfferUpgrades::Table)
                    .col(integer(OfferUpgrades::FromOfferId))
                    .col(integer(OfferUpgrades::ToOfferId))
                    .primary_key(
                        Index::create()
                            .col(OfferUpgrades::FromOfferId)
                            .col(OfferUpgrades::ToOfferId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OfferUpgrades::Table, OfferUpgrades::FromOfferId)
                            .to(Offers::Table, Offers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OfferUpgrades::Table, OfferUpgrades::ToOfferId)
                            .to(Offers::Table, Offers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        seed(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            OfferUpgrades::Table.into_iden(),
            OfferCountries::Table.into_iden(),
            Offers::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// Inserts the catalog with explicit ids so upgrade paths can refer to them.
async fn seed(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut offers = Query::insert()
        .into_table(Offers::Table)
        .columns([
            Offers::Id,
            Offers::Sku,
            Offers::Name,
            Offers::Description,
            Offers::Category,
            Offers::MinQuantity,
            Offers::MaxQuantity,
            Offers::MonthlyUnitPriceMinor,
            Offers::Currency,
            Offers::BillingCycle,
            Offers::TermMonths,
            Offers::IsAddOn,
        ])
        .to_owned();
    let mut countries = Query::insert()
        .into_table(OfferCountries::Table)
        .columns([OfferCountries::OfferId, OfferCountries::Country])
        .to_owned();
    let mut upgrades = Query::insert()
        .into_table(OfferUpgrades::Table)
        .columns([OfferUpgrades::FromOfferId, OfferUpgrades::ToOfferId])
        .to_owned();
    for o in OFFERS {
        let OfferSeed {
            id,
            sku,
            name,
            description,
            category,
            min,
            max,
            price_minor,
            cycle,
            term_months,
            add_on,
            ..
        } = *o;
        offers.values_panic([
            id.into(),
            sku.into(),
            name.into(),
            description.into(),
            category.into(),
            min.into(),
            max.into(),
            price_minor.into(),
            "USD".into(),
            cycle.into(),
            term_months.into(),
            add_on.into(),
        ]);
        for country in o.countries {
            countries.values_panic([id.into(), (*country).into()]);
        }
        for target in o.upgrades_to {
            upgrades.values_panic([id.into(), (*target).into()]);
        }
    }
    manager.exec_stmt(offers).await?;
    manager.exec_stmt(countries).await?;
    manager.exec_stmt(upgrades).await?;

    // Explicit ids leave PostgreSQL's identity sequence behind; move it past the seed.
    if manager.get_database_backend() == sea_orm::DbBackend::Postgres {
        manager
            .get_connection()
            .execute_unprepared(
                "SELECT setval(pg_get_serial_sequence('offers', 'id'), (SELECT MAX(id) FROM offers))",
            )
            .await?;
    }
    Ok(())
}

#[derive(DeriveIden)]
enum Offers {
    Table,
    Id,
    Sku,
    Name,
    Description,
    Category,
    MinQuantity,
    MaxQuantity,
    MonthlyUnitPriceMinor,
    Currency,
    BillingCycle,
    TermMonths,
    IsAddOn,
}

#[derive(DeriveIden)]
enum OfferCountries {
    Table,
    OfferId,
    Country,
}

#[derive(DeriveIden)]
enum OfferUpgrades {
    Table,
    FromOfferId,
    ToOfferId,
}
