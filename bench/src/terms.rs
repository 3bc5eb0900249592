//! Price lists and terms (issue 24), two figures:
//!
//! - `prices`: the read page (`customers(first: 50)`) with each subscription's offer priced
//!   for a partner reseller (`resellerPriceFor`) beside the same page without it, A-B-A in
//!   one run. Each provider gets a default list (every offer at list minus 12 %) first, so
//!   the price comes from a version, not from the "not on a list" short cut.
//! - `renewal`: the worker renewing 100,000 subscriptions whose term ended (new term, one
//!   RENEWAL order line at the price then in force, an audit entry each) beside a bare
//!   `UPDATE` that moves the same rows to their next term and nothing else, on PostgreSQL
//!   (the benchmark database) and on SQLite (a fresh file, migrated by the product).

use crate::dataset::psql;
use crate::load::{self, Call, Check, LoadResult, MakeCall};
use crate::processes::Api;
use crate::scenarios::{self, provider_token};
use anyhow::{Context, bail};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde::Serialize;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The read page with each offer's price for the provider's first partner reseller.
const PRICED_PAGE: &str = "query CustomersPagePriced($r: ID!) { customers(first: 50) { totalCount \
    pageInfo { hasNextPage endCursor } edges { node { id companyName \
    subscriptions { id quantity status offer { id name resellerPriceFor(resellerId: $r) { amountMinor } } \
    partnerOfRecord { id companyName } supportContact { id companyName } } } } } }";

#[derive(Debug, Clone, Serialize)]
pub struct PricesResult {
    pub plain_before: LoadResult,
    pub priced: LoadResult,
    pub plain_after: LoadResult,
    /// Priced requests per second over the plain mean.
    pub ratio: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RenewalRun {
    pub backend: String,
    pub subscriptions: u64,
    pub worker_seconds: f64,
    /// The bare update, before and after the worker's pass (mean).
    pub bare_sql_seconds: f64,
    pub bare_sql_runs: [f64; 2],
    pub renewal_lines_written: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TermsResult {
    pub prices: Option<PricesResult>,
    pub renewal: Vec<RenewalRun>,
}

/// Provider n's first partner reseller in the dataset (`bench/sql/seed.sql`).
fn reseller_of(provider: usize, providers: usize) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!("Partner:{}", providers + provider))
}

/// A default list per provider pricing every offer at list minus 12 % (once).
fn seed_lists(url: &str) -> anyhow::Result<()> {
    psql(
        url,
        &[
            "-c",
            "INSERT INTO price_lists (provider_id, name, is_default, created_at) \
             SELECT p.id, 'Bench default', TRUE, now() - interval '2 days' FROM partners p \
             WHERE p.kind = 'INDIRECT_PROVIDER' AND NOT EXISTS (SELECT 1 FROM price_lists l \
               WHERE l.provider_id = p.id AND l.name = 'Bench default'); \
             INSERT INTO price_list_prices (price_list_id, offer_id, unit_price_minor, \
               markup_percent_e4, currency, effective_from, created_at) \
             SELECT l.id, o.id, NULL, -120000, o.currency, now() - interval '2 days', now() \
             FROM price_lists l CROSS JOIN offers o WHERE l.name = 'Bench default' \
               AND NOT EXISTS (SELECT 1 FROM price_list_prices x WHERE x.price_list_id = l.id \
                 AND x.offer_id = o.id); \
             ANALYZE price_lists; ANALYZE price_list_prices; ANALYZE price_list_resellers",
        ],
    )?;
    Ok(())
}

fn priced_page(base: &str, providers: usize) -> (MakeCall, Check) {
    let base = base.to_owned();
    let make: MakeCall = Arc::new(move |client, n| {
        let provider = (client + n as usize) % providers + 1;
        Call {
            url: format!("{base}/graphql"),
            body: Some(
                json!({ "query": PRICED_PAGE, "variables": { "r": reseller_of(provider, providers) } })
                    .to_string(),
            ),
            token: Some(provider_token(provider)),
        }
    });
    let check: Check = Arc::new(|status, body| {
        if status != 200 {
            return Err(format!("HTTP {status}"));
        }
        let answer: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| format!("not JSON ({e})"))?;
        if answer.get("errors").is_some() {
            return Err(format!("GraphQL errors: {}", answer["errors"]));
        }
        let edges = answer["data"]["customers"]["edges"]
            .as_array()
            .ok_or("no edges")?;
        if edges.len() != 50 {
            return Err(format!("{} customers instead of 50", edges.len()));
        }
        for edge in edges {
            for s in edge["node"]["subscriptions"]
                .as_array()
                .ok_or("no subscriptions")?
            {
                if s["offer"]["resellerPriceFor"]["amountMinor"]
                    .as_i64()
                    .is_none()
                {
                    return Err(format!("an offer without its reseller price: {s}"));
                }
            }
        }
        Ok(())
    });
    (make, check)
}

pub async fn prices(
    client: &reqwest::Client,
    api: &Api,
    url: &str,
    providers: usize,
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
) -> anyhow::Result<PricesResult> {
    seed_lists(url)?;
    let run = |priced: bool| {
        let (make, check) = if priced {
            priced_page(&api.base_url, providers)
        } else {
            scenarios::customers_page(&api.base_url, providers)
        };
        async move {
            let result = load::run(client, concurrency, warmup, duration, make, check).await;
            if result.failures > 0 || result.requests == 0 {
                bail!(
                    "{} answers failed their check: {:?}",
                    result.failures,
                    result.first_failure
                );
            }
            Ok::<_, anyhow::Error>(result)
        }
    };
    let plain_before = run(false).await?;
    let priced = run(true).await?;
    let plain_after = run(false).await?;
    let mean = (plain_before.requests_per_second + plain_after.requests_per_second) / 2.0;
    Ok(PricesResult {
        ratio: priced.requests_per_second / mean,
        plain_before,
        priced,
        plain_after,
    })
}

async fn exec(db: &DatabaseConnection, sql: &str) -> anyhow::Result<u64> {
    Ok(db
        .execute_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .rows_affected())
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> anyhow::Result<i64> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .context("no row")?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

/// The due rows as the run leaves them for each timed step: ids `first..first+n`, ACTIVE,
/// renewing, their term ended an hour before `now`; and nothing the worker wrote before.
async fn reset(
    db: &DatabaseConnection,
    first: i64,
    n: u64,
    now: chrono::DateTime<chrono::Utc>,
    marks: (i64, i64, i64),
) -> anyhow::Result<()> {
    let backend = db.get_database_backend();
    let last = first + n as i64 - 1;
    let (ended, started) = (
        now - chrono::Duration::hours(1),
        now - chrono::Duration::days(366),
    );
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "UPDATE subscriptions SET status = 'ACTIVE', auto_renew = TRUE, term = 'P1Y', \
             term_number = 1, term_reminded_days = NULL, term_started_at = {a}, term_ends_at = {b} \
             WHERE id BETWEEN {first} AND {last}",
            a = if backend == sea_orm::DbBackend::Postgres {
                "$1"
            } else {
                "?"
            },
            b = if backend == sea_orm::DbBackend::Postgres {
                "$2"
            } else {
                "?"
            },
        ),
        [started.into(), ended.into()],
    ))
    .await?;
    let (lines, orders, audits) = marks;
    exec(
        db,
        &format!("DELETE FROM webhook_deliveries WHERE audit_entry_id > {audits}"),
    )
    .await?;
    exec(
        db,
        &format!("DELETE FROM audit_entries WHERE id > {audits}"),
    )
    .await?;
    exec(db, &format!("DELETE FROM order_lines WHERE id > {lines}")).await?;
    exec(db, &format!("DELETE FROM orders WHERE id > {orders}")).await?;
    if backend == sea_orm::DbBackend::Postgres {
        exec(db, "VACUUM ANALYZE subscriptions").await?;
        exec(db, "CHECKPOINT").await?;
    }
    Ok(())
}

/// The bare statement: the same rows to their next term, nothing else.
async fn bare(
    db: &DatabaseConnection,
    n: u64,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<f64> {
    let backend = db.get_database_backend();
    let next = now + chrono::Duration::days(364);
    let (a, b) = match backend {
        sea_orm::DbBackend::Postgres => ("$1", "$2"),
        _ => ("?", "?"),
    };
    let started = Instant::now();
    let done = db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "UPDATE subscriptions SET term_started_at = term_ends_at, term_ends_at = {a}, \
                 term_number = term_number + 1 WHERE status = 'ACTIVE' AND auto_renew = TRUE \
                 AND term_ends_at <= {b}"
            ),
            [next.into(), now.into()],
        ))
        .await?
        .rows_affected();
    let seconds = started.elapsed().as_secs_f64();
    if done != n {
        bail!("the bare update renewed {done} rows, not {n}");
    }
    Ok(seconds)
}

/// Renews `n` subscriptions starting at id `first` with the worker and with the bare update.
async fn renewal_run(
    db: &DatabaseConnection,
    backend: &str,
    first: i64,
    n: u64,
) -> anyhow::Result<RenewalRun> {
    let now = chrono::Utc::now();
    let marks = (
        scalar(
            db,
            "SELECT CAST(coalesce(max(id), 0) AS BIGINT) FROM order_lines",
        )
        .await?,
        scalar(
            db,
            "SELECT CAST(coalesce(max(id), 0) AS BIGINT) FROM orders",
        )
        .await?,
        scalar(
            db,
            "SELECT CAST(coalesce(max(id), 0) AS BIGINT) FROM audit_entries",
        )
        .await?,
    );
    reset(db, first, n, now, marks).await?;
    let bare_before = bare(db, n, now).await?;
    reset(db, first, n, now, marks).await?;
    let started = Instant::now();
    let renewed = worker::terms::renewal::renew(db, now).await?;
    let worker_seconds = started.elapsed().as_secs_f64();
    if renewed != n {
        bail!("the worker renewed {renewed} subscriptions, not {n}");
    }
    let lines = scalar(
        db,
        &format!(
            "SELECT count(*) FROM order_lines WHERE id > {} AND kind = 'RENEWAL'",
            marks.0
        ),
    )
    .await?;
    reset(db, first, n, now, marks).await?;
    let bare_after = bare(db, n, now).await?;
    reset(db, first, n, now, marks).await?;
    Ok(RenewalRun {
        backend: backend.to_owned(),
        subscriptions: n,
        worker_seconds,
        bare_sql_seconds: (bare_before + bare_after) / 2.0,
        bare_sql_runs: [bare_before, bare_after],
        renewal_lines_written: lines,
    })
}

/// PostgreSQL: the benchmark database's first `n` ACTIVE subscriptions (ids are dense).
pub async fn renewal_postgres(url: &str, n: u64) -> anyhow::Result<RenewalRun> {
    let db = Database::connect(url).await?;
    let first = scalar(&db, "SELECT min(id)::bigint FROM subscriptions").await?;
    let total = scalar(&db, "SELECT count(*) FROM subscriptions").await?;
    if (total as u64) < n {
        bail!("the dataset has {total} subscriptions, fewer than {n}");
    }
    // Everything else is left out of the pass: not due.
    exec(
        &db,
        "UPDATE subscriptions SET term_ends_at = now() + interval '300 days' \
         WHERE term_ends_at <= now() + interval '1 day'",
    )
    .await?;
    let run = renewal_run(&db, "PostgreSQL", first, n).await;
    // Back out of the way of other parts: not due for a while.
    exec(
        &db,
        &format!(
            "UPDATE subscriptions SET term_ends_at = now() + interval '300 days' \
             WHERE id BETWEEN {first} AND {}",
            first + n as i64 - 1
        ),
    )
    .await?;
    db.close().await?;
    run
}

/// SQLite: a fresh file migrated by the product, one provider, one reseller and one
/// customer holding `n` subscriptions.
pub async fn renewal_sqlite(dir: &std::path::Path, n: u64) -> anyhow::Result<RenewalRun> {
    std::fs::create_dir_all(dir)?;
    let file = dir.join("terms-bench.sqlite");
    let _ = std::fs::remove_file(&file);
    let url = format!("sqlite://{}?mode=rwc", file.display());
    migration::database::migrate(&url).await?;
    let db = migration::database::connect(&url, 4).await?;
    let now = chrono::Utc::now();
    let stamp = now.to_rfc3339();
    for sql in [
        format!(
            "INSERT INTO partners (id, kind, company_name, country, partner_network_id, enrollment_status, created_at, approved_at) VALUES (1, 'INDIRECT_PROVIDER', 'Provider', 'US', 'B1', 'ACTIVE', '{stamp}', '{stamp}'), (2, 'INDIRECT_RESELLER', 'Reseller', 'US', 'B2', 'ACTIVE', '{stamp}', '{stamp}')"
        ),
        format!(
            "INSERT INTO users (id, email, name, password_hash, role, partner_id, customer_id, must_change_password, created_at, preferred_language) VALUES (1, 'p@bench.example', 'P', 'x', 'ADMIN', 1, NULL, 0, '{stamp}', 'en')"
        ),
        format!(
            "INSERT INTO customers (id, provider_id, reseller_id, company_name, domain, country, address_line1, city, postal_code, billing_contact_name, billing_contact_email, language, created_at) VALUES (1, 1, 2, 'Customer', 'c.bench.example', 'US', '1 Main', 'Redmond', '98052', 'B', 'b@c.bench.example', 'en-US', '{stamp}')"
        ),
        format!(
            "INSERT INTO price_lists (id, provider_id, name, is_default, created_at) VALUES (1, 1, 'Default', 1, '{stamp}')"
        ),
    ] {
        exec(&db, &sql).await?;
    }
    exec(
        &db,
        &format!(
            "INSERT INTO price_list_prices (price_list_id, offer_id, unit_price_minor, \
             markup_percent_e4, currency, effective_from, created_at) \
             SELECT 1, id, NULL, -120000, currency, '2000-01-01T00:00:00+00:00', '{stamp}' FROM offers"
        ),
    )
    .await?;
    exec(
        &db,
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
             INSERT INTO subscriptions (id, customer_id, offer_id, quantity, status, \
               partner_of_record_id, support_contact_partner_id, upgraded_from_id, created_at, \
               updated_at, term, auto_renew, term_number, term_started_at, term_ends_at) \
             SELECT i, 1, 1 + i % 5, 1 + i % 40, 'ACTIVE', 2, 1, NULL, '{stamp}', '{stamp}', \
               'P1Y', 1, 1, '{stamp}', '{stamp}' FROM n"
        ),
    )
    .await?;
    let run = renewal_run(&db, "SQLite", 1, n).await;
    db.close().await?;
    run
}

/// The lines of the report.
pub fn details(t: &TermsResult) -> String {
    let mut out = String::new();
    if let Some(p) = &t.prices {
        out.push_str(&format!(
            "read page with reseller prices (A-B-A): plain {:.1} / {:.1} req/s, priced {:.1} \
             req/s = {:.2} of plain (p50 {:.1} ms vs {:.1} ms)\n",
            p.plain_before.requests_per_second,
            p.plain_after.requests_per_second,
            p.priced.requests_per_second,
            p.ratio,
            p.priced.p50_ms,
            p.plain_before.p50_ms,
        ));
    }
    for r in &t.renewal {
        out.push_str(&format!(
            "renewal of {} subscriptions on {}: worker {:.2} s, bare UPDATE {:.2} s \
             ({:.2} / {:.2}) = {:.2}x; {} RENEWAL lines\n",
            r.subscriptions,
            r.backend,
            r.worker_seconds,
            r.bare_sql_seconds,
            r.bare_sql_runs[0],
            r.bare_sql_runs[1],
            r.worker_seconds / r.bare_sql_seconds,
            r.renewal_lines_written
        ));
    }
    out
}
