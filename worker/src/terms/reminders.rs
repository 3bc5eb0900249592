//! Notices 30 and 7 days before a term ends, to the provider's ADMINs and the ADMINs of the
//! customer's reseller, each in their own language: whether the subscription renews, and a
//! month of it at the prices in force at the renewal (money written by ICU for the
//! reader). Each threshold is claimed by one `UPDATE … RETURNING` that records it in
//! `term_reminded_days` (renewal clears it), so a term is noticed once per threshold
//! whichever worker runs. A notice N days ahead is sent only for terms at least twice N
//! long: a monthly term's 30-day notice would arrive with its purchase.

use super::{BATCH, audit, placeholder};
use crate::compose::EmailContent;
use crate::delegation::notices;
use crate::i18n::{Lang, Message};
use chrono::{DateTime, Duration, Utc};
use entity::enums::UserRole;
use entity::event_type::EventType;
use entity::pricing::resolve;
use entity::{customer, offer, user};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Statement, Value};

/// The thresholds, nearest first (a term due for both gets the nearer one only), with the
/// terms long enough for each.
const THRESHOLDS: [(i64, &str); 2] = [(7, "'P1M', 'P1Y', 'P3Y'"), (30, "'P1Y', 'P3Y'")];

struct Noticed {
    id: i32,
    customer_id: i32,
    offer_id: i32,
    quantity: i32,
    ends: DateTime<Utc>,
    renews: bool,
}

/// Returns how many terms were noticed and the emails written.
pub async fn remind(
    db: &sea_orm::DatabaseConnection,
    now: DateTime<Utc>,
    relay_after_ms: u64,
) -> Result<(u64, Vec<i32>), DbErr> {
    let mut reminded = 0;
    let mut email_ids = Vec::new();
    for (days, terms) in THRESHOLDS {
        loop {
            let (n, ids) = remind_batch(db, now, days, terms, relay_after_ms).await?;
            reminded += n;
            email_ids.extend(ids);
            if n < BATCH as u64 {
                break;
            }
        }
    }
    Ok((reminded, email_ids))
}

async fn remind_batch(
    db: &sea_orm::DatabaseConnection,
    now: DateTime<Utc>,
    days: i64,
    terms: &str,
    relay_after_ms: u64,
) -> Result<(u64, Vec<i32>), DbErr> {
    let txn = migration::database::begin_write(db).await?;
    let backend = txn.get_database_backend();
    let due = |a: usize, b: usize| {
        format!(
            "status IN ('ACTIVE', 'SUSPENDED') AND term IN ({terms}) \
             AND term_ends_at > {} AND term_ends_at <= {} \
             AND (term_reminded_days IS NULL OR term_reminded_days > {days})",
            placeholder(backend, a),
            placeholder(backend, b)
        )
    };
    let sql = format!(
        "UPDATE subscriptions SET term_reminded_days = {days} \
         WHERE id IN (SELECT id FROM subscriptions WHERE {inner} ORDER BY id LIMIT {BATCH}) \
           AND {outer} \
         RETURNING id, customer_id, offer_id, quantity, term_ends_at, status, auto_renew",
        inner = due(1, 2),
        outer = due(3, 4),
    );
    let horizon = now + Duration::days(days);
    let rows = txn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [
                Value::from(now),
                Value::from(horizon),
                Value::from(now),
                Value::from(horizon),
            ],
        ))
        .await?;
    let mut noticed = Vec::with_capacity(rows.len());
    for row in rows {
        let status: String = row.try_get("", "status")?;
        noticed.push(Noticed {
            id: row.try_get("", "id")?,
            customer_id: row.try_get("", "customer_id")?,
            offer_id: row.try_get("", "offer_id")?,
            quantity: row.try_get("", "quantity")?,
            ends: row.try_get("", "term_ends_at")?,
            renews: status == "ACTIVE" && row.try_get::<bool>("", "auto_renew")?,
        });
    }
    let customers = audit::customers(&txn, noticed.iter().map(|n| n.customer_id)).await?;
    let mut email_ids = Vec::new();
    let mut events = Vec::with_capacity(noticed.len());
    for n in &noticed {
        let Some(cust) = customers.get(&n.customer_id) else {
            continue;
        };
        email_ids.extend(tell(&txn, n, cust, now, relay_after_ms).await?);
        events.push((
            n.id,
            cust,
            Message::new("audit-subscription-term-ending").arg("days", days),
        ));
    }
    audit::record(&txn, EventType::SubscriptionTermEnding, events, now).await?;
    txn.commit().await?;
    Ok((noticed.len() as u64, email_ids))
}

/// One email per ADMIN of the provider and of the customer's reseller, in each one's
/// language.
async fn tell<C: ConnectionTrait>(
    db: &C,
    n: &Noticed,
    cust: &customer::Model,
    now: DateTime<Utc>,
    relay_after_ms: u64,
) -> Result<Vec<i32>, DbErr> {
    let Some(offer) = offer::Entity::find_by_id(n.offer_id).one(db).await? else {
        return Ok(Vec::new());
    };
    // What a license costs from the renewal on: the reseller's price when the customer has
    // one (what the provider bills it), else the list price.
    let unit = match cust.reseller_id {
        Some(reseller) => {
            resolve::reseller_unit_price(db, cust.provider_id, reseller, &offer, n.ends).await?
        }
        None => offer.monthly_unit_price_minor,
    };
    let content = EmailContent::SubscriptionTermEnding {
        customer: cust.company_name.clone(),
        offer: offer.name.clone(),
        quantity: i64::from(n.quantity),
        days_left: ((n.ends - now).num_hours() + 23) / 24,
        ends_on: n.ends.format("%Y-%m-%d").to_string(),
        renews: n.renews,
        amount_minor: unit.saturating_mul(i64::from(n.quantity)),
        currency: offer.currency.clone(),
    };
    let partners: Vec<i32> = std::iter::once(cust.provider_id)
        .chain(cust.reseller_id)
        .collect();
    let recipients = user::Entity::find()
        .filter(user::Column::DeactivatedAt.is_null())
        .filter(user::Column::PartnerId.is_in(partners))
        .filter(user::Column::Role.eq(UserRole::Admin))
        .all(db)
        .await?;
    let mut ids = Vec::with_capacity(recipients.len());
    for recipient in recipients {
        let lang = Lang::nearest(&recipient.preferred_language);
        ids.push(
            notices::write_kind(
                db,
                notices::TERM_ENDING_KIND,
                &recipient.email,
                lang,
                &content,
                now,
                relay_after_ms,
            )
            .await?,
        );
    }
    Ok(ids)
}
