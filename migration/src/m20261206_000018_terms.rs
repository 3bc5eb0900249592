//! Terms (issue 24): the commitment terms and billing cycles each offer is sold with, and on
//! every subscription its term, when the current term began and ends, whether it renews,
//! which renewal it is (the worker's exactly-once guard) and which term-end notice it has
//! had. Existing subscriptions get their offer's first term, anchored at their creation:
//! the current term is the one of those anniversaries that contains the migration's time
//! (so nothing renews many times over on the worker's first pass).

use sea_orm_migration::sea_orm::{ConnectionTrait, Statement, Value};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

type DateTime = chrono::DateTime<chrono::Utc>;

/// Gives subscriptions the offer's first term, anchored on the creation anniversary that
/// contains now (so the worker's first pass does not renew old subscriptions many times
/// over): every subscription, or (`only_missing`) those a raw insert left without one.
pub(crate) async fn fill_terms<C: ConnectionTrait>(
    db: &C,
    only_missing: bool,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT s.id, s.created_at, s.status, o.terms FROM subscriptions s \
                 JOIN offers o ON o.id = s.offer_id{} ORDER BY s.id",
                if only_missing {
                    " WHERE s.term_started_at IS NULL OR s.term_ends_at IS NULL"
                } else {
                    ""
                }
            ),
        ))
        .await?;
    let now = chrono::Utc::now();
    let sql = match backend {
        sea_orm_migration::sea_orm::DbBackend::Postgres => {
            "UPDATE subscriptions SET term = $1, term_started_at = $2, term_ends_at = $3 \
             WHERE id = $4"
        }
        _ => {
            "UPDATE subscriptions SET term = ?, term_started_at = ?, term_ends_at = ? \
             WHERE id = ?"
        }
    };
    for row in rows {
        let id: i32 = row.try_get("", "id")?;
        let created: DateTime = row.try_get("", "created_at")?;
        let status: String = row.try_get("", "status")?;
        let terms: String = row.try_get("", "terms")?;
        let term = terms.split(',').next().unwrap_or("P1M").trim().to_owned();
        let (start, end) = current_term(created, months_of(&term), status != "CANCELLED", now);
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [
                Value::from(term),
                Value::from(start),
                Value::from(end),
                Value::from(id),
            ],
        ))
        .await?;
    }
    Ok(())
}

fn months_of(term: &str) -> u32 {
    match term {
        "P1Y" => 12,
        "P3Y" => 36,
        _ => 1,
    }
}

/// The term containing `now` among the anniversaries of `created` (the first one when the
/// subscription is not running, or was created in the future).
fn current_term(
    created: DateTime,
    months: u32,
    running: bool,
    now: DateTime,
) -> (DateTime, DateTime) {
    let add = |at: DateTime, n: u32| {
        at.checked_add_months(chrono::Months::new(n))
            .unwrap_or(DateTime::MAX_UTC)
    };
    let mut n = 0;
    loop {
        let (start, end) = (add(created, n * months), add(created, (n + 1) * months));
        if !running || end > now || end == DateTime::MAX_UTC {
            return (start, end);
        }
        n += 1;
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            string_len(Offers::Terms, 32).default("P1M").to_owned(),
            string_len(Offers::BillingCycles, 32)
                .default("MONTHLY")
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Offers::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        // The catalog's commitments as terms: annual suites also sold month to month,
        // Azure reservations and plans as they are, multi-year reservations as P3Y.
        for sql in [
            "UPDATE offers SET terms = 'P1Y,P1M' WHERE term_months = 12 AND category <> 'AZURE'",
            "UPDATE offers SET terms = 'P1Y' WHERE term_months = 12 AND category = 'AZURE'",
            "UPDATE offers SET terms = 'P3Y' WHERE term_months = 36",
            "UPDATE offers SET billing_cycles = 'MONTHLY,ANNUAL' \
             WHERE term_months >= 12 AND billing_cycle = 'MONTHLY'",
            "UPDATE offers SET billing_cycles = 'ANNUAL,MONTHLY' \
             WHERE term_months >= 12 AND billing_cycle = 'ANNUAL'",
        ] {
            db.execute_unprepared(sql).await?;
        }
        for column in [
            string_len(Subs::Term, 8).default("P1M").to_owned(),
            // Always written by the product; null only until the rows below are filled
            // (SQLite cannot add a NOT NULL column without a constant default).
            timestamp_with_time_zone_null(Subs::TermStartedAt),
            timestamp_with_time_zone_null(Subs::TermEndsAt),
            boolean(Subs::AutoRenew).default(true).to_owned(),
            integer(Subs::TermNumber).default(1).to_owned(),
            integer_null(Subs::TermRemindedDays),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Subs::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        fill_terms(db, false).await?;
        // The worker's passes: running subscriptions by the end of their term.
        manager
            .create_index(
                Index::create()
                    .name("idx_subscriptions_term_end")
                    .table(Subs::Table)
                    .col(Subs::Status)
                    .col(Subs::TermEndsAt)
                    .to_owned(),
            )
            .await?;
        // A renewal looks up who bought each subscription (its NEW or UPGRADE line).
        manager
            .create_index(
                Index::create()
                    .name("idx_order_lines_subscription")
                    .table(Lines::Table)
                    .col(Lines::SubscriptionId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_order_lines_subscription")
                    .table(Lines::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_subscriptions_term_end")
                    .table(Subs::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Subs::TermRemindedDays,
            Subs::TermNumber,
            Subs::AutoRenew,
            Subs::TermEndsAt,
            Subs::TermStartedAt,
            Subs::Term,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Subs::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [Offers::BillingCycles, Offers::Terms] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Offers::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Offers {
    #[sea_orm(iden = "offers")]
    Table,
    Terms,
    BillingCycles,
}

#[derive(DeriveIden)]
enum Lines {
    #[sea_orm(iden = "order_lines")]
    Table,
    SubscriptionId,
}

#[derive(DeriveIden)]
enum Subs {
    #[sea_orm(iden = "subscriptions")]
    Table,
    Status,
    Term,
    TermStartedAt,
    TermEndsAt,
    AutoRenew,
    TermNumber,
    TermRemindedDays,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_current_term_contains_now() {
        let at = |y, m, d| chrono::Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap();
        let (start, end) = current_term(at(2024, 3, 10), 12, true, at(2026, 12, 6));
        assert_eq!((start, end), (at(2026, 3, 10), at(2027, 3, 10)));
        let (start, end) = current_term(at(2026, 11, 20), 1, true, at(2026, 12, 6));
        assert_eq!((start, end), (at(2026, 11, 20), at(2026, 12, 20)));
        let (start, _) = current_term(at(2024, 3, 10), 12, false, at(2026, 12, 6));
        assert_eq!(start, at(2024, 3, 10));
    }
}
