//! `auditLog` of a small organization beside a big one. An organization sees the entries it
//! made and those about it (two columns, an index each); when another organization's
//! entries are all the newest, a page used to crawl back through every one of them
//! (PostgreSQL walked the primary key and filtered the OR). Both executors answer the small
//! organization's pages alike and right, and on PostgreSQL the page reads a few blocks.

use super::{Pair, pair, partner_id};
use api::events::audience::Viewer;
use api::graphql::connection::{Key, PageArgs, Planned};
use e2e::{TestApp, e2e};
use entity::audit_entry::{self, Column};
use sea_orm::sea_query::{PostgresQueryBuilder, QueryBuilder};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QueryTrait, Set, Statement, TransactionTrait,
};
use serde_json::{Value, json};

/// The provider's own entries, all newer than the other provider's.
const BIG: usize = 4_000;

const FORWARD: &str = "query($n: Int!, $after: String, $before: String) {
  auditLog(first: $n, after: $after, before: $before) { totalCount
    pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
    edges { cursor node { action targetId actorPartnerId } } } }";

const BACKWARD: &str = "query($n: Int = 2, $after: String, $before: String) {
  auditLog(last: $n, after: $after, before: $before) {
    pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
    edges { cursor node { targetId } } } }";

e2e!(a_small_organizations_log_beside_a_big_ones);
async fn a_small_organizations_log_beside_a_big_ones(app: TestApp) {
    let p = pair(app).await;
    let db = &p.direct.db;
    let provider = partner_id(&p.origin, &p.world.provider).await;
    let other = partner_id(&p.origin, &p.other_provider).await;
    // Older: the other provider's own entries, the provider's entries about it, and the
    // other provider's entries about itself (seen once, not twice).
    let mut older = Vec::new();
    for i in 0..12 {
        older.push(entry(format!("own-{i}"), Some(other), None));
        older.push(entry(format!("about-{i}"), Some(provider), Some(other)));
        older.push(entry(format!("both-{i}"), Some(other), Some(other)));
    }
    // The other provider's entries spread among sixty other organizations' (one heap page
    // holds a few of them): as many actors as a real log has, so the planner's estimate for
    // any one of them is a real log's too.
    for i in 0..600 {
        older.push(entry(format!("spread-{i}"), Some(other), None));
        older.push(entry(format!("filler-{i}"), Some(1_000_000 + i % 60), None));
    }
    insert(db, older).await;
    let newer = (0..BIG).map(|i| entry(format!("big-{i}"), Some(provider), None));
    insert(db, newer.collect()).await;
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared("ANALYZE audit_entries")
            .await
            .unwrap();
    }

    // What the other provider sees, newest first, straight from the table.
    let expected: Vec<String> = audit_entry::Entity::find()
        .filter(
            Condition::any()
                .add(Column::ActorPartnerId.eq(other))
                .add(Column::SubjectPartnerId.eq(other)),
        )
        .order_by_desc(Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.target_id)
        .collect();
    assert!(expected.len() >= 636, "{}", expected.len());
    let read = read_all(&p, &p.other_provider, 100).await;
    assert_eq!(read, expected, "every visible entry once, newest first");
    assert!(!read.iter().any(|t| t.starts_with("big-")));
    p.walk(
        ("auditLog", FORWARD, BACKWARD),
        Some(&p.other_provider),
        &[(0, 3), (2, 5)],
    )
    .await;
    // The provider's log: its own newest first, the entries about the other provider too.
    let first = p
        .same(FORWARD, json!({ "n": 3 }), Some(&p.world.provider), true)
        .await;
    let edges = &first["data"]["auditLog"]["edges"];
    assert_eq!(
        edges[0]["node"]["targetId"],
        json!(format!("big-{}", BIG - 1))
    );

    if db.get_database_backend() == DbBackend::Postgres {
        // The rows PostgreSQL's scans go through: the page's own (and its lookups), not the
        // provider's 4,000 newer ones; the count, the other provider's entries once.
        let (page, count) = page_work(db, other).await;
        assert!(page < 300, "the page went through {page} rows");
        let visible = expected.len() as i64;
        assert!(
            count < visible + 100,
            "totalCount went through {count} rows"
        );
    }
}

/// Every target id of the caller's log, page by page (`n` each), through both executors.
async fn read_all(p: &Pair, token: &str, n: i64) -> Vec<String> {
    let (mut read, mut after) = (Vec::new(), Value::Null);
    loop {
        let page = p
            .same(
                FORWARD,
                json!({ "n": n, "after": after }),
                Some(token),
                true,
            )
            .await;
        let log = &page["data"]["auditLog"];
        for edge in log["edges"].as_array().unwrap() {
            read.push(edge["node"]["targetId"].as_str().unwrap().to_owned());
        }
        if log["pageInfo"]["hasNextPage"] != json!(true) {
            return read;
        }
        after = log["pageInfo"]["endCursor"].clone();
    }
}

/// The rows PostgreSQL's scans go through for the first page of 50 of `viewer`'s log and
/// for its `totalCount`, planned as the product's connections plan them (once,
/// generically): the statements both executors page with.
async fn page_work(db: &sea_orm::DatabaseConnection, viewer: i32) -> (i64, i64) {
    let (select, scan) = Viewer::Organization(viewer).entries();
    let args = PageArgs::new(None, None, Some(50), None).unwrap();
    let planned = Planned::new(select, &[Key::Desc(Column::Id)], args, scan).unwrap();
    let page = planned.rows.build(DbBackend::Postgres);
    let count = DbBackend::Postgres.build(&planned.count);
    (scanned(db, page).await, scanned(db, count).await)
}

async fn scanned(db: &sea_orm::DatabaseConnection, statement: Statement) -> i64 {
    let values = statement.values.map(|v| v.0).unwrap_or_default();
    let values: Vec<String> = values
        .iter()
        .map(|v| PostgresQueryBuilder.value_to_string(v))
        .collect();
    let txn = db.begin().await.unwrap();
    txn.execute_unprepared("SET LOCAL plan_cache_mode = force_generic_plan")
        .await
        .unwrap();
    txn.execute_unprepared(&format!("PREPARE measured AS {}", statement.sql))
        .await
        .unwrap();
    let explain = format!(
        "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE measured({})",
        values.join(", ")
    );
    let row = txn
        .query_one_raw(Statement::from_string(DbBackend::Postgres, explain))
        .await
        .unwrap()
        .unwrap();
    txn.rollback().await.unwrap();
    let plan: Value = row.try_get_by_index(0).unwrap();
    rows_scanned(&plan[0]["Plan"])
}

/// Every scan node's rows, those its filters removed included, over all its loops (a bitmap
/// index scan's rows are the heap scan's above it).
fn rows_scanned(node: &Value) -> i64 {
    let n = |name: &str| node[name].as_f64().unwrap_or(0.0);
    let kind = node["Node Type"].as_str().unwrap_or("");
    let own = if kind.contains("Scan") && kind != "Bitmap Index Scan" {
        let per_loop =
            n("Actual Rows") + n("Rows Removed by Filter") + n("Rows Removed by Index Recheck");
        (per_loop * n("Actual Loops")).round() as i64
    } else {
        0
    };
    let children = node["Plans"]
        .as_array()
        .map_or(0, |plans| plans.iter().map(rows_scanned).sum());
    own + children
}

fn entry(target: String, actor: Option<i32>, subject: Option<i32>) -> audit_entry::ActiveModel {
    audit_entry::ActiveModel {
        occurred_at: Set(chrono::Utc::now()),
        request_id: Set("skew".into()),
        actor_user_id: Set(None),
        actor_partner_id: Set(actor),
        action: Set("customer.updated".into()),
        target_type: Set("Customer".into()),
        target_id: Set(target),
        summary: Set("A customer was updated.".into()),
        summary_message: Set(None),
        subject_partner_id: Set(subject),
        actor_api_client_id: Set(None),
        ..Default::default()
    }
}

async fn insert(db: &sea_orm::DatabaseConnection, rows: Vec<audit_entry::ActiveModel>) {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<_> = rows.by_ref().take(500).collect();
        audit_entry::Entity::insert_many(batch)
            .exec(db)
            .await
            .unwrap();
    }
}
