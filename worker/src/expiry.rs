//! Invitation expiry: partnership invitations and customer relationship requests move
//! PENDING -> EXPIRED once their `expires_at` has passed, each with its audit entry.
//!
//! Set-based: one statement (PostgreSQL) or one transaction (SQLite) per kind, however many
//! rows are due, so expiring a million invitations costs about what the bare UPDATE does.
//! Safe to run in several workers at once: each row changes exactly once, and only the
//! runner that changed it writes its audit entry.

use crate::i18n::{Lang, Message};
use chrono::{DateTime, Utc};
use entity::audit_entry;
use entity::event_type::EventType;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DbBackend, DbErr, EntityTrait, Statement,
    TransactionSession, TransactionTrait, Value,
};

/// One kind of invitation: its table, node type, and what its audit entry says.
struct Kind {
    table: &'static str,
    node_type: &'static str,
    action: EventType,
    /// The entry's summary: a message id (`audit.ftl`) and the argument it takes from a
    /// column of the expired row, if any.
    message: &'static str,
    argument: Option<Argument>,
    /// SQL for the organization the entry concerns.
    subject_sql: &'static str,
}

/// A message argument read from a column of the expired row.
struct Argument {
    name: &'static str,
    column: &'static str,
}

impl Kind {
    /// The summary for one row whose argument column holds `value`.
    fn summary(&self, value: Option<String>) -> Message {
        match (&self.argument, value) {
            (Some(arg), Some(value)) => Message::new(self.message).arg(arg.name, value),
            _ => Message::new(self.message),
        }
    }

    /// SQL over the expired row for the English summary, bound to `$6` and `$7`: the
    /// English message around its argument, so its words still come from the message files.
    fn summary_sql(&self) -> String {
        match &self.argument {
            Some(arg) => format!("$6::text || {} || $7::text", arg.column),
            None => "$6::text || $7::text".to_owned(),
        }
    }

    /// The English text before and after the argument.
    fn summary_around(&self) -> (String, String) {
        const MARK: &str = "\u{1}";
        let english = self.summary(Some(MARK.to_owned())).render(Lang::En);
        match english.split_once(MARK) {
            Some((before, after)) => (before.to_owned(), after.to_owned()),
            None => (english, String::new()),
        }
    }

    /// SQL over the expired row for the stored message (see `i18n::stored`). The id and
    /// argument name are constants of this file, never input.
    fn message_sql(&self) -> String {
        let args = match &self.argument {
            Some(arg) => format!("json_build_object('{}', {})", arg.name, arg.column),
            None => "json_build_object()".to_owned(),
        };
        format!(
            "json_build_object('id', '{}', 'args', {args})::text",
            self.message
        )
    }
}

const PARTNERSHIP_INVITATIONS: Kind = Kind {
    table: "partnership_invitations",
    node_type: "PartnershipInvitation",
    action: EventType::PartnershipInvitationExpired,
    message: "audit-invitation-expired",
    argument: Some(Argument {
        name: "email",
        column: "reseller_email",
    }),
    subject_sql: "provider_id",
};

const RELATIONSHIP_REQUESTS: Kind = Kind {
    table: "customer_relationship_requests",
    node_type: "CustomerRelationshipRequest",
    action: EventType::CustomerRelationshipRequestExpired,
    message: "audit-relationship-expired",
    argument: None,
    subject_sql: "provider_id",
};

/// Expires every PENDING invitation and relationship request whose `expires_at` has
/// passed; returns how many.
pub async fn expire_invitations<C>(db: &C, now: DateTime<Utc>) -> Result<u64, DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    let partnerships = expire(db, &PARTNERSHIP_INVITATIONS, now).await?;
    let relationships = expire(db, &RELATIONSHIP_REQUESTS, now).await?;
    let mut withdrawn = 0;
    for kind in [&PARTNERSHIP_INVITATIONS, &RELATIONSHIP_REQUESTS] {
        withdrawn += cancel_unsent_emails(db, kind).await?;
    }
    if partnerships + relationships + withdrawn > 0 {
        tracing::info!(
            partnerships,
            relationships,
            withdrawn,
            "invitations expired"
        );
    }
    Ok(partnerships + relationships)
}

/// The still-QUEUED email of an expired invitation would only deliver a dead link: it is
/// CANCELLED and its token scrubbed, in one statement (the same as `delivery::cancel` does
/// for one row). Only QUEUED rows are looked at, through the invitation's email index.
///
/// On PostgreSQL the rows are locked first, in id order, skipping any another transaction
/// holds: runners in several workers updated the same rows in different orders and
/// deadlocked (`40P01`). A skipped row is cancelled by the runner holding it, or, if a send
/// held it and it is still QUEUED, by the next pass. SQLite runs one writer at a time.
async fn cancel_unsent_emails<C: ConnectionTrait>(db: &C, kind: &Kind) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let lock = match backend {
        DbBackend::Postgres => "ORDER BY e.id FOR UPDATE SKIP LOCKED",
        _ => "",
    };
    let scrub = |column: &str| {
        format!(
            "{column} = CASE WHEN scrub_after_send IS NULL OR scrub_after_send = '' THEN {column} \
             ELSE REPLACE({column}, scrub_after_send, '[redacted]') END"
        )
    };
    let sql = format!(
        "UPDATE outbound_emails SET status = 'CANCELLED', \
           last_error = 'the invitation expired before it was sent', {text}, {html}, {content}, \
           scrub_after_send = NULL \
         WHERE status = 'QUEUED' AND id IN (SELECT e.id FROM outbound_emails e \
           WHERE e.status = 'QUEUED' AND EXISTS (SELECT 1 FROM {table} t \
             WHERE t.outbound_email_id = e.id AND t.status = 'EXPIRED') {lock})",
        text = scrub("text_body"),
        html = scrub("html_body"),
        content = scrub("content"),
        table = kind.table,
    );
    Ok(db
        .execute_raw(Statement::from_string(backend, sql))
        .await?
        .rows_affected())
}

async fn expire<C>(db: &C, kind: &Kind, now: DateTime<Utc>) -> Result<u64, DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    match db.get_database_backend() {
        DbBackend::Postgres => expire_postgres(db, kind, now).await,
        _ => expire_sqlite(db, kind, now).await,
    }
}

/// How many id ranges of due rows PostgreSQL expires at once, each on its own connection.
/// A single UPDATE runs on one core; the audit rows roughly double the work per row, and
/// splitting it across two backends keeps the whole pass close to the bare UPDATE's time.
const POSTGRES_PARALLEL_RANGES: i64 = 2;

/// Per id range, one statement: the UPDATE's RETURNING feeds the audit INSERT, all inside
/// PostgreSQL. A concurrent runner blocks on the same rows, then finds them no longer
/// PENDING, so each row is expired (and audited) once.
async fn expire_postgres<C: ConnectionTrait>(
    db: &C,
    kind: &Kind,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let due = format!(
        "SELECT min(id) AS lo, max(id) AS hi FROM {} WHERE status = 'PENDING' AND expires_at <= $1",
        kind.table
    );
    let bounds = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            due,
            [Value::from(now)],
        ))
        .await?;
    let (Some(lo), Some(hi)) = bounds.map_or(Ok((None, None)), |row| {
        Ok::<_, DbErr>((
            row.try_get::<Option<i32>>("", "lo")?,
            row.try_get::<Option<i32>>("", "hi")?,
        ))
    })?
    else {
        return Ok(0);
    };
    let (lo, hi) = (i64::from(lo), i64::from(hi));
    let step = ((hi - lo + 1) + POSTGRES_PARALLEL_RANGES - 1) / POSTGRES_PARALLEL_RANGES;
    let ranges = (0..POSTGRES_PARALLEL_RANGES)
        .map(|k| (lo + k * step, (lo + (k + 1) * step - 1).min(hi)))
        .filter(|(from, to)| from <= to);
    let expired = futures::future::try_join_all(
        ranges.map(|(from, to)| expire_postgres_range(db, kind, now, from, to)),
    )
    .await?;
    Ok(expired.into_iter().sum())
}

async fn expire_postgres_range<C: ConnectionTrait>(
    db: &C,
    kind: &Kind,
    now: DateTime<Utc>,
    from: i64,
    to: i64,
) -> Result<u64, DbErr> {
    // The global id is base64url("Type:id") without padding, as `audit_entry::global_id`.
    // One statement: the expired rows feed their audit entries, which feed their webhook
    // deliveries; the final count is of expired invitations.
    let sql = format!(
        "WITH expired AS ( \
           UPDATE {table} SET status = 'EXPIRED' \
           WHERE status = 'PENDING' AND expires_at <= $1 AND id BETWEEN $4 AND $5 \
           RETURNING * ), \
         audited AS ( \
           INSERT INTO audit_entries (occurred_at, request_id, actor_user_id, actor_partner_id, \
             action, target_type, target_id, summary, summary_message, subject_partner_id) \
           SELECT $1::timestamptz, 'worker', NULL::int, NULL::int, $2::text, $3::text, \
             translate(encode(convert_to($3::text || ':' || id, 'UTF8'), 'base64'), '+/=', '-_'), \
             {summary}, {message}, {subject} \
           FROM expired \
           RETURNING * ), \
         delivered AS ({fan_out} RETURNING 1) \
         SELECT count(*) AS expired FROM audited",
        table = kind.table,
        summary = kind.summary_sql(),
        message = kind.message_sql(),
        subject = kind.subject_sql,
        fan_out = audit_entry::fan_out_insert(DbBackend::Postgres, "audited", "TRUE"),
    );
    let (before, after) = kind.summary_around();
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            [
                Value::from(now),
                kind.action.dotted().into(),
                kind.node_type.into(),
                Value::from(from),
                Value::from(to),
                before.into(),
                after.into(),
            ],
        ))
        .await?;
    Ok(row.map_or(Ok(0), |row| row.try_get::<i64>("", "expired"))? as u64)
}

/// SQLite has no base64 in SQL: the UPDATE returns what the entries need and they are
/// inserted in batches, in the same transaction (SQLite runs one writer at a time).
async fn expire_sqlite<C: TransactionTrait>(
    db: &C,
    kind: &Kind,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let txn = db.begin().await?; // starts with its write: no read-then-write race
    let sql = format!(
        "UPDATE {table} SET status = 'EXPIRED' WHERE status = 'PENDING' AND expires_at <= ? \
         RETURNING id, {argument} AS argument, {subject} AS subject",
        table = kind.table,
        argument = kind.argument.as_ref().map_or("NULL", |a| a.column),
        subject = kind.subject_sql,
    );
    let rows = txn
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            sql,
            [Value::from(now)],
        ))
        .await?;
    let expired = rows.len() as u64;
    // Read after the UPDATE took the write lock: every audit entry above this is ours.
    let before: i32 = txn
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT COALESCE(MAX(id), 0) AS id FROM audit_entries",
        ))
        .await?
        .map_or(Ok(0), |row| row.try_get("", "id"))?;
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let summary = kind.summary(row.try_get("", "argument")?);
        entries.push(audit_entry::ActiveModel {
            occurred_at: Set(now),
            request_id: Set("worker".into()),
            actor_user_id: Set(None),
            actor_partner_id: Set(None),
            action: Set(kind.action.dotted().into()),
            target_type: Set(kind.node_type.into()),
            target_id: Set(audit_entry::global_id(
                kind.node_type,
                row.try_get("", "id")?,
            )),
            summary: Set(summary.render(Lang::En)),
            summary_message: Set(Some(summary.stored())),
            subject_partner_id: Set(row.try_get("", "subject")?),
            ..Default::default()
        });
    }
    // 500 rows of 10 values stay well under SQLite's bound-parameter limit.
    for batch in entries.chunks(500) {
        audit_entry::Entity::insert_many(batch.to_vec())
            .exec(&txn)
            .await?;
    }
    if expired > 0 {
        // SQLite runs one writer at a time: every entry after `before` is one of ours.
        audit_entry::fan_out(&txn, before + 1, i32::MAX).await?;
    }
    txn.commit().await?;
    Ok(expired)
}
