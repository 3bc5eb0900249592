//! The results: one JSON document, and a table of each figure beside its limit, the ratio
//! and the target.

use crate::dataset::Size;
use crate::deep_page::{self, DeepPageResult};
use crate::email::EmailResult;
use crate::events::EventsResult;
use crate::expiry::ExpiryResult;
use crate::load::LoadResult;
use crate::pgbench::PgbenchResult;
use crate::webhooks::WebhookResult;
use serde::Serialize;

#[derive(Debug, Default, Serialize)]
pub struct Results {
    pub machine: Machine,
    pub dataset: Option<Size>,
    pub row_counts: Vec<(String, i64)>,
    pub seed_seconds: Option<f64>,
    pub concurrency: usize,
    pub seconds_per_run: u64,
    pub plain_handler: Option<LoadResult>,
    pub typename: Option<LoadResult>,
    pub read: Option<LoadResult>,
    pub read_statements_per_request: Option<f64>,
    /// Milliseconds of the API process's CPU (user + system) per read request.
    pub read_api_cpu_ms_per_request: Option<f64>,
    pub read_pgbench: Option<PgbenchResult>,
    /// PostgreSQL's CPU (its backends of the benchmark database) per read request, and per
    /// pgbench transaction of the same statements (issue 26).
    pub read_pg_cpu_ms_per_request: Option<f64>,
    pub read_pgbench_pg_cpu_ms_per_transaction: Option<f64>,
    /// The session lookup alone through pgbench, and PostgreSQL's CPU per lookup: what a
    /// session cache would save the database.
    pub session_pgbench: Option<PgbenchResult>,
    pub session_pg_cpu_ms_per_lookup: Option<f64>,
    /// How the trusted scenarios sent their document (`document_id` once the server knows
    /// trusted documents, else `query_text`).
    pub trusted_mode: Option<crate::read_trusted::Mode>,
    /// `{ __typename }` as a trusted document.
    pub typename_trusted: Option<LoadResult>,
    /// The read page as a trusted document (issue 26).
    pub read_trusted: Option<LoadResult>,
    pub read_trusted_api_cpu_ms_per_request: Option<f64>,
    pub read_trusted_pg_cpu_ms_per_request: Option<f64>,
    pub read_trusted_statements_per_request: Option<f64>,
    /// The read page on the general path: a second API with `GRAPHQL__DIRECT_PLANS=false`.
    pub read_general: Option<LoadResult>,
    pub read_general_api_cpu_ms_per_request: Option<f64>,
    pub read_general_pg_cpu_ms_per_request: Option<f64>,
    pub read_general_statements_per_request: Option<f64>,
    /// The same page through PostGraphile v5 on the same database.
    pub postgraphile: Option<crate::postgraphile::PostgraphileResult>,
    /// Why PostGraphile was not measured, when it was not.
    pub postgraphile_skipped: Option<String>,
    pub write: Option<LoadResult>,
    pub write_pgbench: Option<PgbenchResult>,
    /// Milliseconds of the API process's CPU per `createCustomer`.
    pub write_api_cpu_ms_per_request: Option<f64>,
    pub write_pg_cpu_ms_per_request: Option<f64>,
    pub write_pgbench_pg_cpu_ms_per_transaction: Option<f64>,
    /// SQL statements per `createCustomer`, from the server's `/metrics`.
    pub write_statements_per_request: Option<f64>,
    pub email_plain_client: Option<EmailResult>,
    pub email_pipeline_1_worker: Option<EmailResult>,
    pub email_pipeline_4_workers: Option<EmailResult>,
    pub expiry: Option<ExpiryResult>,
    pub events: Option<EventsResult>,
    pub webhooks: Option<WebhookResult>,
    /// The audit log's 1,000th page beside its first (issue 15).
    pub deep_page: Option<DeepPageResult>,
    /// The read page with traces exported beside it without (issue 16).
    pub overhead: Option<crate::overhead::OverheadResult>,
    pub budget: Option<crate::budget::BudgetResult>,
    /// The read page with reseller prices, and renewals vs a bare update (issue 24).
    pub terms: Option<crate::terms::TermsResult>,
    /// `{ __typename }` and the read page as text and as trusted documents (issue 26).
    pub trusted_documents: Option<crate::trusted::TrustedResult>,
    /// The partnership list and the audit log page, plans beside the general path (issue 26).
    pub lists: Option<crate::lists::ListsResult>,
    /// A 10,000-row customer import (issue 25).
    pub imports: Option<crate::imports::ImportResult>,
    /// RLIMIT_NOFILE of the harness and the processes it starts.
    pub open_files_limit: Option<u64>,
    pub rss_idle_mib: Option<f64>,
    /// Of the idle figure, the process's own memory (`RssAnon`); the rest is file pages
    /// mapped in, mostly the executable's code touched at start.
    pub rss_idle_anon_mib: Option<f64>,
    pub rss_read_load_peak_mib: Option<f64>,
    pub rss_after_load_mib: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct Machine {
    pub cores: usize,
    pub postgres: String,
}

impl Default for Machine {
    fn default() -> Self {
        Machine {
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            postgres: String::new(),
        }
    }
}

struct Row {
    figure: String,
    value: String,
    limit: String,
    ratio: Option<f64>,
    target: String,
    met: Option<bool>,
}

fn ratio_row(figure: &str, value: f64, unit: &str, limit: f64, at_least: f64) -> Row {
    let ratio = value / limit;
    Row {
        figure: figure.into(),
        value: format!("{value:.1} {unit}"),
        limit: format!("{limit:.1} {unit}"),
        ratio: Some(ratio),
        target: format!("≥ {at_least}"),
        met: Some(ratio >= at_least),
    }
}

impl Results {
    fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        if let (Some(t), Some(p)) = (&self.typename, &self.plain_handler) {
            rows.push(ratio_row(
                "{ __typename } vs plain axum handler",
                t.requests_per_second,
                "req/s",
                p.requests_per_second,
                0.5,
            ));
        }
        if let (Some(t), Some(p)) = (&self.typename_trusted, &self.plain_handler) {
            rows.push(ratio_row(
                "{ __typename } trusted vs plain handler",
                t.requests_per_second,
                "req/s",
                p.requests_per_second,
                0.8,
            ));
        }
        if let (Some(r), Some(p)) = (&self.read, &self.read_pgbench) {
            rows.push(ratio_row(
                "customers(first: 50) vs pgbench",
                r.requests_per_second,
                "req/s",
                p.transactions_per_second,
                0.5,
            ));
        }
        if let (Some(r), Some(p)) = (&self.read_trusted, &self.read_pgbench) {
            rows.push(ratio_row(
                "read page, trusted document vs pgbench",
                r.requests_per_second,
                "req/s",
                p.transactions_per_second,
                0.5,
            ));
        }
        if let (Some(r), Some(p)) = (&self.read_general, &self.read_pgbench) {
            rows.push(Row {
                target: String::new(),
                met: None,
                ..ratio_row(
                    "read page, general path vs pgbench",
                    r.requests_per_second,
                    "req/s",
                    p.transactions_per_second,
                    0.0,
                )
            });
        }
        for (figure, value, max) in [
            (
                "API CPU per read, trusted document",
                self.read_trusted_api_cpu_ms_per_request,
                0.6,
            ),
            (
                "API CPU per read, general path",
                self.read_general_api_cpu_ms_per_request,
                1.0,
            ),
        ] {
            if let Some(v) = value {
                rows.push(Row {
                    figure: figure.into(),
                    value: format!("{v:.3} ms"),
                    limit: String::new(),
                    ratio: None,
                    target: format!("≤ {max} ms"),
                    met: Some(v <= max),
                });
            }
        }
        if let (Some(r), Some(g)) = (&self.read_trusted, &self.postgraphile) {
            rows.push(Row {
                target: "≥ 3".into(),
                met: Some(r.requests_per_second / g.load.requests_per_second >= 3.0),
                ..ratio_row(
                    "read page, trusted vs PostGraphile v5",
                    r.requests_per_second,
                    "req/s",
                    g.load.requests_per_second,
                    3.0,
                )
            });
        }
        if let (Some(w), Some(p)) = (&self.write, &self.write_pgbench) {
            rows.push(ratio_row(
                "createCustomer (3 lines) vs pgbench",
                w.requests_per_second,
                "req/s",
                p.transactions_per_second,
                0.4,
            ));
        }
        if let Some(i) = &self.imports {
            rows.push(ratio_row(
                "import rows/s vs pgbench (1 client)",
                i.rows_per_second,
                "rows/s",
                i.pgbench.transactions_per_second,
                0.5,
            ));
            rows.push(ratio_row(
                "import rows/s vs createCustomer one by one",
                i.rows_per_second,
                "rows/s",
                i.one_by_one.requests_per_second,
                2.0,
            ));
        }
        if let (Some(e), Some(p)) = (&self.email_pipeline_4_workers, &self.email_plain_client) {
            rows.push(ratio_row(
                "email pipeline, 4 workers vs plain client",
                e.emails_per_second,
                "mail/s",
                p.emails_per_second,
                0.5,
            ));
        }
        if let Some(e) = &self.expiry {
            let ratio = e.worker_seconds / e.bare_sql_seconds;
            rows.push(Row {
                figure: format!("expiry of {} invitations vs bare UPDATE", e.invitations),
                value: format!("{:.2} s", e.worker_seconds),
                limit: format!("{:.2} s", e.bare_sql_seconds),
                ratio: Some(ratio),
                target: "≤ 1.5".into(),
                met: Some(ratio <= 1.5),
            });
        }
        if let Some(d) = &self.deep_page {
            rows.push(Row {
                figure: format!("auditLog page {} vs page 1 (cost)", d.page),
                value: format!("{:.1} req/s", d.deep.requests_per_second),
                limit: format!("{:.1} req/s", d.first_requests_per_second),
                ratio: Some(d.cost_ratio),
                target: format!("≤ {}", deep_page::TARGET),
                met: Some(d.met()),
            });
        }
        if let Some(o) = &self.overhead {
            let untraced = (o.untraced_before.requests_per_second
                + o.untraced_after.requests_per_second)
                / 2.0;
            rows.push(Row {
                figure: "read page, traces exported vs off".into(),
                value: format!("{:.1} req/s", o.traced.requests_per_second),
                limit: format!("{untraced:.1} req/s"),
                ratio: Some(o.ratio),
                target: String::new(),
                met: None,
            });
        }
        if let Some(t) = &self.terms {
            if let Some(p) = &t.prices {
                let plain =
                    (p.plain_before.requests_per_second + p.plain_after.requests_per_second) / 2.0;
                rows.push(Row {
                    figure: "read page, reseller prices vs not".into(),
                    value: format!("{:.1} req/s", p.priced.requests_per_second),
                    limit: format!("{plain:.1} req/s"),
                    ratio: Some(p.ratio),
                    target: String::new(),
                    met: None,
                });
            }
            for r in &t.renewal {
                rows.push(Row {
                    figure: format!(
                        "renewal of {} ({}) vs bare UPDATE",
                        r.subscriptions, r.backend
                    ),
                    value: format!("{:.2} s", r.worker_seconds),
                    limit: format!("{:.2} s", r.bare_sql_seconds),
                    ratio: Some(r.worker_seconds / r.bare_sql_seconds),
                    target: String::new(),
                    met: None,
                });
            }
        }
        rows.extend(self.event_rows());
        for (figure, value, max) in [
            ("resident memory, idle", self.rss_idle_mib, 40.0),
            (
                "resident memory, read load (peak)",
                self.rss_read_load_peak_mib,
                150.0,
            ),
        ] {
            if let Some(v) = value {
                rows.push(Row {
                    figure: figure.into(),
                    value: format!("{v:.1} MiB"),
                    limit: String::new(),
                    ratio: None,
                    target: format!("≤ {max} MiB"),
                    met: Some(v <= max),
                });
            }
        }
        rows
    }

    /// The table of ratios, then the latency details.
    pub fn table(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "{:<46} {:>16} {:>16} {:>7} {:>11} {:>5}\n",
            "figure", "product", "limit", "ratio", "target", "met"
        ));
        for row in self.rows() {
            out.push_str(&format!(
                "{:<46} {:>16} {:>16} {:>7} {:>11} {:>5}\n",
                row.figure,
                row.value,
                row.limit,
                row.ratio.map_or(String::new(), |r| format!("{r:.2}")),
                row.target,
                match row.met {
                    Some(true) => "yes",
                    Some(false) => "NO",
                    None => "",
                }
            ));
        }
        out.push('\n');
        out.push_str(&format!(
            "{:<46} {:>10} {:>9} {:>9} {:>9} {:>12}\n",
            "latency (closed loop)", "req/s", "p50 ms", "p99 ms", "failures", "API CPU ms"
        ));
        // The API's CPU per request, beside the rate: the figure a shared machine's noise
        // does not move.
        let loads = [
            ("plain axum handler", &self.plain_handler, None),
            ("{ __typename }", &self.typename, None),
            (
                "customers(first: 50)",
                &self.read,
                self.read_api_cpu_ms_per_request,
            ),
            (
                "customers(first: 50), trusted document",
                &self.read_trusted,
                self.read_trusted_api_cpu_ms_per_request,
            ),
            (
                "customers(first: 50), general path",
                &self.read_general,
                self.read_general_api_cpu_ms_per_request,
            ),
            (
                "createCustomer",
                &self.write,
                self.write_api_cpu_ms_per_request,
            ),
            (
                "{ __typename }, trusted document",
                &self.typename_trusted,
                None,
            ),
            (
                "customers(first: 50), PostGraphile v5",
                &self.postgraphile.as_ref().map(|g| g.load.clone()),
                self.postgraphile
                    .as_ref()
                    .and_then(|g| g.cpu_ms_per_request),
            ),
        ];
        let pg_cpu = [
            self.read_pg_cpu_ms_per_request,
            self.read_trusted_pg_cpu_ms_per_request,
            self.read_general_pg_cpu_ms_per_request,
            self.write_pg_cpu_ms_per_request,
            None,
            self.postgraphile
                .as_ref()
                .and_then(|g| g.pg_cpu_ms_per_request),
        ];
        let ms = |v: Option<f64>| v.map_or(String::new(), |ms| format!("{ms:.3}"));
        out.pop();
        out.push_str(&format!(" {:>12}\n", "PG CPU ms"));
        for (i, (name, load, cpu)) in loads.into_iter().enumerate() {
            if let Some(l) = load {
                let pg = if i >= 2 { pg_cpu[i - 2] } else { None };
                out.push_str(&format!(
                    "{:<46} {:>10.1} {:>9.2} {:>9.2} {:>9} {:>12} {:>12}\n",
                    name,
                    l.requests_per_second,
                    l.p50_ms,
                    l.p99_ms,
                    l.failures,
                    ms(cpu),
                    ms(pg)
                ));
            }
        }
        for (name, p, pg) in [
            (
                "pgbench customers_page.sql",
                &self.read_pgbench,
                self.read_pgbench_pg_cpu_ms_per_transaction,
            ),
            (
                "pgbench create_customer.sql",
                &self.write_pgbench,
                self.write_pgbench_pg_cpu_ms_per_transaction,
            ),
            (
                "pgbench session.sql (the session lookup)",
                &self.session_pgbench,
                self.session_pg_cpu_ms_per_lookup,
            ),
        ] {
            if let Some(p) = p {
                out.push_str(&format!(
                    "{:<46} {:>10.1} {:>9.2} {:>9.2} {:>9} {:>12} {:>12}\n",
                    name,
                    p.transactions_per_second,
                    p.p50_ms,
                    p.p99_ms,
                    0,
                    "",
                    ms(pg)
                ));
            }
        }
        if let Some(mode) = self.trusted_mode {
            out.push_str(&format!("trusted documents sent as: {mode:?}\n"));
        }
        if let Some(why) = &self.postgraphile_skipped {
            out.push_str(&format!("PostGraphile v5 not measured: {why}\n"));
        }
        if let Some(n) = self.read_statements_per_request {
            out.push_str(&format!(
                "\nSQL statements per customers(first: 50) request: {n:.2}\n"
            ));
        }
        for (path, n) in [
            ("trusted document", self.read_trusted_statements_per_request),
            ("general path", self.read_general_statements_per_request),
        ] {
            if let Some(n) = n {
                out.push_str(&format!("SQL statements per read, {path}: {n:.2}\n"));
            }
        }
        if let Some(n) = self.write_statements_per_request {
            out.push_str(&format!("SQL statements per createCustomer: {n:.2}\n"));
        }
        for (name, e) in [
            ("email: plain SMTP client", &self.email_plain_client),
            ("email: pipeline, 1 worker", &self.email_pipeline_1_worker),
            ("email: pipeline, 4 workers", &self.email_pipeline_4_workers),
        ] {
            if let Some(e) = e {
                out.push_str(&format!(
                    "{name:<46} {:>8} mails in {:>6.2} s = {:>8.1} mail/s{}\n",
                    e.emails,
                    e.seconds,
                    e.emails_per_second,
                    e.requests_seconds.map_or(String::new(), |r| format!(
                        " (requests accepted in {r:.2} s)"
                    ))
                ));
            }
        }
        if let Some(d) = &self.deep_page {
            out.push_str(&deep_page::details(d));
        }
        if let Some(o) = &self.overhead {
            out.push_str(&crate::overhead::details(o));
        }
        if let Some(b) = &self.budget {
            out.push_str(&crate::budget::details(b));
        }
        if let Some(t) = &self.terms {
            out.push_str(&crate::terms::details(t));
        }
        if let Some(l) = &self.lists {
            out.push_str(&crate::lists::report(l));
        }
        if let Some(t) = &self.trusted_documents {
            out.push_str(&crate::trusted::details(t));
        }
        out.push_str(&self.event_details());
        if let (Some(all), Some(anon)) = (self.rss_idle_mib, self.rss_idle_anon_mib) {
            out.push_str(&format!(
                "resident memory, idle: {anon:.1} MiB anonymous, {:.1} MiB file pages (code)\n",
                all - anon
            ));
        }
        if let Some(rss) = self.rss_after_load_mib {
            out.push_str(&format!(
                "resident memory after the read load: {rss:.1} MiB\n"
            ));
        }
        out
    }
}

impl Results {
    /// Issue 12's figures, which have no target: events to every subscriber, and webhook
    /// deliveries beside a plain client.
    fn event_rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        if let Some(best) = self.events.as_ref().and_then(EventsResult::best) {
            rows.push(Row {
                figure: format!(
                    "events to {} WebSocket subscribers",
                    self.events.as_ref().map_or(0, |e| e.subscribers)
                ),
                value: format!("{:.1} ev/s", best.events_per_second),
                limit: String::new(),
                ratio: None,
                target: String::new(),
                met: None,
            });
        }
        if let Some(w) = &self.webhooks {
            rows.push(Row {
                figure: "webhooks, 1 worker vs plain HTTP client".into(),
                value: format!("{:.1} req/s", w.worker.per_second),
                limit: format!("{:.1} req/s", w.plain_client.per_second),
                ratio: Some(w.worker.per_second / w.plain_client.per_second),
                target: String::new(),
                met: None,
            });
        }
        rows
    }

    fn event_details(&self) -> String {
        let events = self.events.as_ref().map(EventsResult::details);
        let webhooks = self.webhooks.as_ref().map(WebhookResult::details);
        events.unwrap_or_default() + &webhooks.unwrap_or_default()
    }
}
