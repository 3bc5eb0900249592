//! Reminders 30 and 7 days before an end that will not extend: each threshold is claimed
//! by one `UPDATE … RETURNING` that records it in `reminded_days` (so a row is reminded once
//! per threshold, whichever worker runs), with one EXPIRING audit entry per row and an
//! email to the provider's and the reseller's ADMINs and the customer's admin.

use super::expiry::{Changed, audit, claim};
use super::notices;
use crate::compose::EmailContent;
use crate::i18n::{Lang, Message};
use chrono::{DateTime, Duration, Utc};
use entity::enums::UserRole;
use entity::event_type::EventType;
use entity::{customer, partner, user};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
};

/// The thresholds, smallest first (a row due for both gets the nearer one only).
pub const DAYS: [i64; 2] = [7, 30];

/// Returns how many relationships were reminded and the emails written.
pub async fn remind(
    db: &sea_orm::DatabaseConnection,
    now: DateTime<Utc>,
    relay_after_ms: u64,
) -> Result<(u64, Vec<i32>), DbErr> {
    let txn = migration::database::begin_write(db).await?;
    let backend = txn.get_database_backend();
    let (a, b) = match backend {
        DbBackend::Postgres => ("$1", "$2"),
        _ => ("?", "?"),
    };
    let mut reminded = 0;
    let mut email_ids = Vec::new();
    for days in DAYS {
        let sql = format!(
            "UPDATE admin_relationships SET reminded_days = {days} \
             WHERE status = 'ACTIVE' AND auto_extend = FALSE \
               AND ends_at > {a} AND ends_at <= {b} \
               AND (reminded_days IS NULL OR reminded_days > {days}) \
             RETURNING id, customer_id, provider_id, reseller_id"
        );
        let rows = claim(
            &txn,
            sql,
            vec![now.into(), (now + Duration::days(days)).into()],
        )
        .await?;
        audit(
            &txn,
            &rows,
            EventType::AdminRelationshipExpiring,
            &Message::new("audit-admin-relationship-expiring").arg("days", days),
            now,
        )
        .await?;
        for row in &rows {
            email_ids.extend(tell(&txn, row, days, now, relay_after_ms).await?);
        }
        reminded += rows.len() as u64;
    }
    txn.commit().await?;
    Ok((reminded, email_ids))
}

/// One email per recipient, in each one's language.
async fn tell<C: ConnectionTrait>(
    db: &C,
    row: &Changed,
    days: i64,
    now: DateTime<Utc>,
    relay_after_ms: u64,
) -> Result<Vec<i32>, DbErr> {
    let ends: Option<DateTime<Utc>> = entity::admin_relationship::Entity::find_by_id(row.id)
        .one(db)
        .await?
        .and_then(|r| r.ends_at);
    let cust = customer::Entity::find_by_id(row.customer_id)
        .one(db)
        .await?;
    let provider = partner::Entity::find_by_id(row.provider_id).one(db).await?;
    let reseller = partner::Entity::find_by_id(row.reseller_id).one(db).await?;
    let (Some(cust), Some(provider), Some(reseller)) = (cust, provider, reseller) else {
        return Ok(Vec::new());
    };
    let content = EmailContent::AdminRelationshipExpiring {
        provider: provider.company_name,
        customer: cust.company_name,
        reseller: reseller.company_name,
        // What is left now (the threshold is the most it can be).
        days_left: ends.map_or(days, |e| ((e - now).num_hours() + 23) / 24),
        ends_on: ends.map_or_else(String::new, |e| e.format("%Y-%m-%d").to_string()),
    };
    let recipients = user::Entity::find()
        .filter(user::Column::DeactivatedAt.is_null())
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(user::Column::PartnerId.is_in([row.provider_id, row.reseller_id]))
                        .add(user::Column::Role.eq(UserRole::Admin)),
                )
                .add(
                    Condition::all()
                        .add(user::Column::CustomerId.eq(row.customer_id))
                        .add(user::Column::Role.eq(UserRole::CustomerAdmin)),
                ),
        )
        .all(db)
        .await?;
    let mut ids = Vec::with_capacity(recipients.len());
    for recipient in recipients {
        let lang = Lang::nearest(&recipient.preferred_language);
        ids.push(notices::write(db, &recipient.email, lang, &content, now, relay_after_ms).await?);
    }
    Ok(ids)
}
