//! Renewal at a term's end: the next term (same length, starting at the old end), one
//! RENEWAL order line per subscription at the list price and the reseller's price in force
//! at the new term's start (`entity::pricing`, the rule orders use), and a
//! SUBSCRIPTION_RENEWED event. A subscription whose worker stood still for several terms
//! renews once per missed term, one line each, on later batches of the same pass.
//!
//! A batch: read the due rows (on PostgreSQL `FOR UPDATE SKIP LOCKED`, so concurrent
//! runners take different rows), then one `UPDATE … RETURNING` that moves each row to its
//! next term only if its `term_number` is still the one read (a row renewed meanwhile is
//! not returned), then one insert each for the orders, the lines and the audit entries.
//! The prices come from a `PriceBook` read once per batch: each subscription is priced at
//! its own term end, and one lookup per subscription (three statements) was 30 of the 49
//! seconds 100,000 renewals took on PostgreSQL (BENCHMARKS.md).

use super::{BATCH, audit, id_list, placeholder};
use crate::i18n::Message;
use chrono::{DateTime, Utc};
use entity::enums::OrderLineKind;
use entity::event_type::EventType;
use entity::pricing::book::PriceBook;
use entity::terms::TermDuration;
use entity::{offer, order, order_line};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
    Statement, Value,
};
use std::collections::HashMap;

struct Due {
    id: i32,
    customer_id: i32,
    offer_id: i32,
    quantity: i32,
    /// The end of the term that ends now: the new term's start.
    ends: DateTime<Utc>,
    next_end: DateTime<Utc>,
    term_number: i32,
}

/// Renews every subscription due at `now`; returns how many renewals were made.
pub async fn renew(db: &sea_orm::DatabaseConnection, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let mut total = 0;
    loop {
        let (read, renewed) = renew_batch(db, now).await?;
        total += renewed;
        // Nothing due, or nothing of what was read still due (another runner renewed it):
        // the next pass takes what remains.
        if read == 0 || renewed == 0 {
            return Ok(total);
        }
    }
}

async fn due<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<Vec<Due>, DbErr> {
    let backend = db.get_database_backend();
    let lock = if backend == DbBackend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "SELECT id, customer_id, offer_id, quantity, term, term_ends_at, term_number \
         FROM subscriptions WHERE status = 'ACTIVE' AND auto_renew = TRUE \
           AND term_ends_at <= {p} ORDER BY id LIMIT {BATCH}{lock}",
        p = placeholder(backend, 1)
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [Value::from(now)],
        ))
        .await?;
    let mut due = Vec::with_capacity(rows.len());
    for row in rows {
        let term: String = row.try_get("", "term")?;
        let ends: DateTime<Utc> = row.try_get("", "term_ends_at")?;
        let term = TermDuration::parse(&term).unwrap_or(TermDuration::P1M);
        due.push(Due {
            id: row.try_get("", "id")?,
            customer_id: row.try_get("", "customer_id")?,
            offer_id: row.try_get("", "offer_id")?,
            quantity: row.try_get("", "quantity")?,
            ends,
            next_end: term.end_of_term_from(ends),
            term_number: row.try_get("", "term_number")?,
        });
    }
    Ok(due)
}

/// Moves the rows still at the term number read to their next term; returns their ids.
async fn claim<C: ConnectionTrait>(
    db: &C,
    due: &[Due],
    now: DateTime<Utc>,
) -> Result<Vec<i32>, DbErr> {
    let backend = db.get_database_backend();
    // Ids and term numbers are integers read from the database (written inline); the new
    // ends are bound.
    let mut values = vec![Value::from(now)];
    let mut ends = String::new();
    let mut numbers = String::new();
    for d in due {
        values.push(Value::from(d.next_end));
        let p = placeholder(backend, values.len());
        let cast = if backend == DbBackend::Postgres {
            "::timestamptz"
        } else {
            ""
        };
        ends.push_str(&format!(" WHEN {} THEN {p}{cast}", d.id));
        numbers.push_str(&format!(" WHEN {} THEN {}", d.id, d.term_number));
    }
    let sql = format!(
        "UPDATE subscriptions SET term_started_at = term_ends_at, \
           term_ends_at = CASE id{ends} END, term_number = term_number + 1, \
           term_reminded_days = NULL, updated_at = {now} \
         WHERE id IN ({ids}) AND status = 'ACTIVE' AND auto_renew = TRUE \
           AND term_number = CASE id{numbers} END \
         RETURNING id",
        now = placeholder(backend, 1),
        ids = id_list(due.iter().map(|d| d.id)),
    );
    db.query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
        .iter()
        .map(|row| row.try_get::<i32>("", "id"))
        .collect()
}

/// Who places a renewal: whoever placed the subscription's purchase (or upgrade) — the
/// renewal carries out their standing instruction — else the provider's first user.
async fn buyers<C: ConnectionTrait>(
    db: &C,
    subscription_ids: &[i32],
) -> Result<HashMap<i32, i32>, DbErr> {
    let sql = format!(
        "SELECT l.subscription_id, min(o.placed_by_user_id) AS user_id \
         FROM order_lines l JOIN orders o ON o.id = l.order_id \
         WHERE l.subscription_id IN ({}) AND l.kind IN ('NEW', 'UPGRADE') \
         GROUP BY l.subscription_id",
        id_list(subscription_ids.iter().copied())
    );
    let backend = db.get_database_backend();
    let mut found = HashMap::new();
    for row in db
        .query_all_raw(Statement::from_string(backend, sql))
        .await?
    {
        found.insert(
            row.try_get::<i32>("", "subscription_id")?,
            row.try_get::<i32>("", "user_id")?,
        );
    }
    Ok(found)
}

async fn first_user<C: ConnectionTrait>(db: &C, partner_id: i32) -> Result<Option<i32>, DbErr> {
    use entity::user;
    use sea_orm::QueryOrder;
    Ok(user::Entity::find()
        .filter(user::Column::PartnerId.eq(partner_id))
        .order_by_asc(user::Column::Id)
        .one(db)
        .await?
        .map(|u| u.id))
}

/// One batch: returns (rows read, rows renewed). Nothing read means nothing is due.
async fn renew_batch(
    db: &sea_orm::DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<(usize, u64), DbErr> {
    let txn = migration::database::begin_write(db).await?;
    let due = due(&txn, now).await?;
    if due.is_empty() {
        txn.commit().await?;
        return Ok((0, 0));
    }
    let claimed = claim(&txn, &due, now).await?;
    let claimed: std::collections::HashSet<i32> = claimed.into_iter().collect();
    let renewed: Vec<&Due> = due.iter().filter(|d| claimed.contains(&d.id)).collect();
    if renewed.is_empty() {
        txn.commit().await?;
        return Ok((due.len(), 0));
    }
    let customers = audit::customers(&txn, renewed.iter().map(|d| d.customer_id)).await?;
    let mut offer_ids: Vec<i32> = renewed.iter().map(|d| d.offer_id).collect();
    offer_ids.sort_unstable();
    offer_ids.dedup();
    let offers: HashMap<i32, offer::Model> = offer::Entity::find()
        .filter(offer::Column::Id.is_in(offer_ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let ids: Vec<i32> = renewed.iter().map(|d| d.id).collect();
    let buyers = buyers(&txn, &ids).await?;
    let mut fallback: HashMap<i32, Option<i32>> = HashMap::new();

    // One renewal order per customer and buyer; lines go to their order.
    let mut placed_by = HashMap::with_capacity(renewed.len());
    for d in &renewed {
        let Some(cust) = customers.get(&d.customer_id) else {
            continue;
        };
        let buyer = match buyers.get(&d.id) {
            Some(user) => Some(*user),
            None => match fallback.get(&cust.provider_id) {
                Some(user) => *user,
                None => {
                    let user = first_user(&txn, cust.provider_id).await?;
                    fallback.insert(cust.provider_id, user);
                    user
                }
            },
        };
        if let Some(buyer) = buyer {
            placed_by.insert(d.id, (cust.id, buyer));
        }
    }
    let mut groups: Vec<(i32, i32)> = placed_by.values().copied().collect();
    groups.sort_unstable();
    groups.dedup();
    let orders = open_orders(&txn, &groups, &customers, now).await?;

    // The prices in force at each new term's start: every list and version that can
    // apply, read once for the batch, then chosen per subscription in memory.
    let mut pairs: Vec<(i32, i32)> = renewed
        .iter()
        .filter_map(|d| customers.get(&d.customer_id))
        .filter_map(|c| c.reseller_id.map(|r| (c.provider_id, r)))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let offer_ids: Vec<i32> = offers.keys().copied().collect();
    let book = PriceBook::load(&txn, &pairs, &offer_ids).await?;
    let mut lines = Vec::with_capacity(renewed.len());
    let mut events = Vec::with_capacity(renewed.len());
    for d in &renewed {
        let (Some(cust), Some(offer)) = (customers.get(&d.customer_id), offers.get(&d.offer_id))
        else {
            continue;
        };
        let reseller_price = cust
            .reseller_id
            .map(|reseller| book.reseller_unit_price(cust.provider_id, reseller, offer, d.ends));
        if let Some(order_id) = placed_by.get(&d.id).and_then(|g| orders.get(g)) {
            lines.push(order_line::ActiveModel {
                order_id: Set(*order_id),
                kind: Set(OrderLineKind::Renewal),
                subscription_id: Set(d.id),
                offer_id: Set(offer.id),
                quantity_change: Set(d.quantity),
                monthly_unit_price_minor: Set(offer.monthly_unit_price_minor),
                currency: Set(offer.currency.clone()),
                list_unit_price_minor: Set(Some(offer.monthly_unit_price_minor)),
                reseller_unit_price_minor: Set(reseller_price),
                ..Default::default()
            });
        }
        events.push((
            d.id,
            cust,
            Message::new("audit-subscription-renewed")
                .arg("date", d.next_end.format("%Y-%m-%d").to_string()),
        ));
    }
    for chunk in lines.chunks(BATCH) {
        order_line::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    audit::record(&txn, EventType::SubscriptionRenewed, events, now).await?;
    txn.commit().await?;
    Ok((due.len(), renewed.len() as u64))
}

/// Inserts one order per (customer, buyer); returns their ids by that pair.
async fn open_orders<C: ConnectionTrait>(
    db: &C,
    groups: &[(i32, i32)],
    customers: &HashMap<i32, entity::customer::Model>,
    now: DateTime<Utc>,
) -> Result<HashMap<(i32, i32), i32>, DbErr> {
    use sea_orm::sea_query::IntoColumnRef;
    let mut found = HashMap::with_capacity(groups.len());
    for chunk in groups.chunks(BATCH) {
        let rows: Vec<_> = chunk
            .iter()
            .filter_map(|(customer_id, buyer)| {
                let cust = customers.get(customer_id)?;
                Some(order::ActiveModel {
                    customer_id: Set(cust.id),
                    provider_id: Set(cust.provider_id),
                    placed_by_user_id: Set(*buyer),
                    on_behalf_of_reseller_id: Set(cust.reseller_id),
                    created_at: Set(now),
                    ..Default::default()
                })
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        let mut query = sea_orm::QueryTrait::into_query(order::Entity::insert_many(rows));
        query.returning(sea_orm::sea_query::ReturningClause::Columns(vec![
            order::Column::Id.into_column_ref(),
            order::Column::CustomerId.into_column_ref(),
            order::Column::PlacedByUserId.into_column_ref(),
        ]));
        let backend = db.get_database_backend();
        for row in db.query_all_raw(backend.build(&query)).await? {
            let key = (
                row.try_get::<i32>("", "customer_id")?,
                row.try_get::<i32>("", "placed_by_user_id")?,
            );
            found.insert(key, row.try_get::<i32>("", "id")?);
        }
    }
    Ok(found)
}
