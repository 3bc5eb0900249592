//! One recorded change: who (user, organization), what (action, target), a summary, the
//! request id and the time. Written in the same transaction as the change; never updated or
//! deleted through the API. Every entry is an event (its action is its `EventType`): the
//! writer also queues, in the same transaction, its webhook deliveries to the endpoints of
//! the organizations that see it (`fan_out_insert`), so an event reaches webhooks exactly
//! when its change committed.

use crate::event_type::EventType;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub occurred_at: DateTimeUtc,
    /// The HTTP request id (`x-request-id`), or `worker` for scheduled and queued jobs.
    pub request_id: String,
    /// None for the system (the worker).
    pub actor_user_id: Option<i32>,
    pub actor_partner_id: Option<i32>,
    /// e.g. `partnership_invitation.accepted`.
    pub action: String,
    /// GraphQL type name of the target, e.g. `PartnershipInvitation`.
    pub target_type: String,
    /// Global id of the target.
    pub target_id: String,
    /// In English, as written (webhooks carry it).
    pub summary: String,
    /// The summary's message id and arguments (`worker::i18n` stored message), to be read
    /// in the reader's language; none for entries written before languages.
    pub summary_message: Option<String>,
    /// The organization owning the target when it is not the actor's: it sees the entry too
    /// (a provider sees a reseller's acceptance of its invitation).
    pub subject_partner_id: Option<i32>,
    /// The API client that acted (its organization is `actor_partner_id`; no user then).
    pub actor_api_client_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// What to record; the writer stamps the time.
pub struct NewEntry<'a> {
    pub request_id: &'a str,
    pub actor_user_id: Option<i32>,
    pub actor_partner_id: Option<i32>,
    pub action: EventType,
    pub target_type: &'a str,
    pub target_id: i32,
    /// In English.
    pub summary: String,
    /// The stored message behind `summary`.
    pub summary_message: Option<String>,
    pub subject_partner_id: Option<i32>,
    /// The API client that acted, if a client did.
    pub actor_api_client_id: Option<i32>,
}

/// The opaque global id clients see for `type_name` / `id` (base64url of `Type:id`).
pub fn global_id(type_name: &str, id: i32) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{type_name}:{id}"))
}

/// The statement that queues a webhook delivery of every audit entry of `source` (a table
/// or a CTE with the audit entry columns, aliased `a`) matching `filter` to each enabled
/// endpoint of an organization that sees it (its actor's or its subject's: the audit log's
/// rule) and subscribes to its type (`event_types` is empty for all, else `,a,b,` of dotted
/// names). The test event goes only where `sendTestWebhook` sends it.
///
/// On PostgreSQL the endpoints joined are locked `FOR KEY SHARE`: an endpoint deleted by a
/// transaction that commits while this one runs is re-read and left out (instead of a
/// delivery that breaks the foreign key), and one still here cannot be deleted before this
/// transaction ends. The lock does not conflict with updates of an endpoint's other columns,
/// and deleting transactions take the organization's endpoint lock first
/// (`api::webhooks::service`), so fan-outs and deletions never wait on each other in a
/// circle.
pub fn fan_out_insert(backend: sea_orm::DbBackend, source: &str, filter: &str) -> String {
    let lock = match backend {
        sea_orm::DbBackend::Postgres => " FOR KEY SHARE OF e",
        // SQLite runs one writer at a time: nothing changes between the read and the write.
        _ => "",
    };
    format!(
        "INSERT INTO webhook_deliveries \
           (endpoint_id, audit_entry_id, status, attempts, created_at, next_attempt_at) \
         SELECT e.id, a.id, 'PENDING', 0, a.occurred_at, a.occurred_at \
         FROM {source} a JOIN webhook_endpoints e \
           ON e.enabled \
           AND (e.partner_id = a.actor_partner_id OR e.partner_id = a.subject_partner_id) \
           AND (e.event_types = '' OR e.event_types LIKE '%,' || a.action || ',%') \
         WHERE ({filter}) AND a.action <> 'webhook.test'{lock}"
    )
}

/// Queues the webhook deliveries of the entries `first..=last` in the caller's transaction.
pub async fn fan_out<C: ConnectionTrait>(db: &C, first: i32, last: i32) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let range = match backend {
        sea_orm::DbBackend::Postgres => "a.id BETWEEN $1 AND $2",
        _ => "a.id BETWEEN ? AND ?",
    };
    let sql = fan_out_insert(backend, "audit_entries", range);
    Ok(db
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            sql,
            [first.into(), last.into()],
        ))
        .await?
        .rows_affected())
}

/// Writes an entry with the caller's connection, so inside the caller's transaction, and
/// queues its webhook deliveries; returns its id (the event id).
pub async fn record<C: ConnectionTrait>(db: &C, entry: NewEntry<'_>) -> Result<i32, DbErr> {
    let ids = record_many(db, vec![entry]).await?;
    ids.first().copied().ok_or(DbErr::RecordNotInserted)
}

/// Writes entries in the given order (their ids, and so the events, follow it) and queues
/// their webhook deliveries: one statement on PostgreSQL (`record_and_fan_out`), two on
/// SQLite, whatever their number (a bulk import records two entries per customer, a
/// hundred customers per transaction). Returns the ids in order.
pub async fn record_many<C: ConnectionTrait>(
    db: &C,
    entries: Vec<NewEntry<'_>>,
) -> Result<Vec<i32>, DbErr> {
    use sea_orm::QueryTrait;
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let now = chrono::Utc::now();
    let rows = entries.into_iter().map(|entry| {
        // The subject is only worth recording when it is another organization.
        let subject = entry
            .subject_partner_id
            .filter(|s| Some(*s) != entry.actor_partner_id);
        ActiveModel {
            occurred_at: sea_orm::Set(now),
            request_id: sea_orm::Set(entry.request_id.chars().take(64).collect()),
            actor_user_id: sea_orm::Set(entry.actor_user_id),
            actor_partner_id: sea_orm::Set(entry.actor_partner_id),
            action: sea_orm::Set(entry.action.dotted().to_owned()),
            target_type: sea_orm::Set(entry.target_type.to_owned()),
            target_id: sea_orm::Set(global_id(entry.target_type, entry.target_id)),
            summary: sea_orm::Set(entry.summary),
            summary_message: sea_orm::Set(entry.summary_message),
            subject_partner_id: sea_orm::Set(subject),
            actor_api_client_id: sea_orm::Set(entry.actor_api_client_id),
            ..Default::default()
        }
    });
    let mut insert = Entity::insert_many(rows).into_query();
    let backend = db.get_database_backend();
    let with_fan_out = backend == sea_orm::DbBackend::Postgres;
    if with_fan_out {
        insert.returning_all();
    } else {
        insert.returning_col(Column::Id);
    }
    let mut statement = backend.build(&insert);
    if with_fan_out {
        statement.sql = record_and_fan_out(&statement.sql);
    }
    // The ids follow the rows' order: one statement takes them from the sequence (or the
    // rowid) row by row, in VALUES order.
    let mut ids: Vec<i32> = db
        .query_all_raw(statement)
        .await?
        .iter()
        .map(|row| row.try_get::<i32>("", "id"))
        .collect::<Result<_, _>>()?;
    ids.sort_unstable();
    if !with_fan_out {
        fan_out_of(db, &ids).await?;
    }
    Ok(ids)
}

/// PostgreSQL: the entries' insert (`RETURNING *`) and their webhook deliveries in one
/// statement, the deliveries read from the insert's returned rows (a data-modifying
/// `WITH`): one round trip less for every change recorded. SQLite has no such `WITH`: its
/// fan-out is a statement of its own (`fan_out_of`).
fn record_and_fan_out(insert: &str) -> String {
    format!(
        "WITH new_entries AS ({insert}), delivered AS ({}) SELECT id FROM new_entries",
        fan_out_insert(sea_orm::DbBackend::Postgres, "new_entries", "TRUE")
    )
}

/// Queues the webhook deliveries of exactly the entries `ids` (another transaction's
/// entries can take ids between them), in the caller's transaction. The ids travel as one
/// parameter, so the statement's text is the same for every call: with the ids written
/// into it, each call was a statement of its own to parse, plan and cache.
pub async fn fan_out_of<C: ConnectionTrait>(db: &C, ids: &[i32]) -> Result<u64, DbErr> {
    if ids.is_empty() {
        return Ok(0);
    }
    let statement = fan_out_statement(db.get_database_backend(), ids);
    Ok(db.execute_raw(statement).await?.rows_affected())
}

fn fan_out_statement(backend: sea_orm::DbBackend, ids: &[i32]) -> sea_orm::Statement {
    let listed: Vec<String> = ids.iter().map(i32::to_string).collect();
    let (filter, ids) = match backend {
        sea_orm::DbBackend::Postgres => (
            "a.id = ANY(string_to_array($1, ',')::int4[])",
            listed.join(","),
        ),
        _ => (
            "a.id IN (SELECT value FROM json_each(?))",
            format!("[{}]", listed.join(",")),
        ),
    };
    let sql = fan_out_insert(backend, "audit_entries", filter);
    sea_orm::Statement::from_sql_and_values(backend, sql, [ids.into()])
}

#[cfg(test)]
mod tests {
    use super::fan_out_statement;
    use sea_orm::DbBackend;

    #[test]
    fn postgres_records_and_fans_out_in_one_statement() {
        let sql =
            super::record_and_fan_out("INSERT INTO audit_entries (id) VALUES ($1) RETURNING *");
        assert!(
            sql.starts_with("WITH new_entries AS (INSERT INTO audit_entries"),
            "{sql}"
        );
        assert!(sql.contains("INSERT INTO webhook_deliveries"), "{sql}");
        assert!(
            sql.contains("FROM new_entries a JOIN webhook_endpoints e"),
            "{sql}"
        );
        assert!(sql.ends_with("SELECT id FROM new_entries"), "{sql}");
    }

    #[test]
    fn the_fan_out_of_any_entries_is_one_statement_text() {
        for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
            let one = fan_out_statement(backend, &[7]);
            let three = fan_out_statement(backend, &[7, 8, 12]);
            assert_eq!(one.sql, three.sql, "{backend:?}");
            assert!(!three.sql.contains("12"), "{}", three.sql);
            assert_ne!(one.values, three.values);
        }
    }
}
