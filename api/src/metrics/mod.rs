//! The API's metrics: one [`ApiMetrics`] per application, its series in a
//! `prometheus-client` registry (see `worker::metrics`, which owns the exposition format and
//! the jobs' series; in embedded mode those are registered here too). Features record with
//! one call (`metrics.login(..)`, `metrics.operation(..)`); `http::metrics` serves them.
//!
//! Every label is a closed set or capped: operation names are the client's, so only the
//! first [`MAX_OPERATION_NAMES`] distinct well-formed names get a series of their own and
//! the rest count as `other`.

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use std::collections::HashSet;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use worker::metrics::{Registry, WorkerMetrics, latency_histogram};

/// Distinct operation names with a series of their own.
pub const MAX_OPERATION_NAMES: usize = 200;

mod record;

use record::{
    CodeLabel, HttpLabels, OperationLabels, OutcomeLabel, RouteLabel, StateLabel, TypeLabel,
};
pub use record::{LoginOutcome, Open};

/// The API process's series.
pub struct ApiMetrics {
    registry: Registry,
    statements: Counter,
    statement_errors: Counter,
    statement_seconds: Counter<f64, AtomicU64>,
    graphql_requests: Counter,
    direct_answers: Counter,
    direct_fallbacks: Counter,
    operations: Family<OperationLabels, Counter>,
    operation_seconds: Family<TypeLabel, Histogram>,
    errors: Family<CodeLabel, Counter>,
    http: Family<HttpLabels, Counter>,
    http_seconds: Family<RouteLabel, Histogram>,
    pool: Family<StateLabel, Gauge>,
    logins: Family<OutcomeLabel, Counter>,
    ws_connections: Gauge,
    ws_subscriptions: Gauge,
    event_gaps: Counter,
    /// The in-process worker's series (embedded mode).
    pub worker: Option<WorkerMetrics>,
    names: Mutex<HashSet<String>>,
}

impl ApiMetrics {
    /// The series, with the in-process worker's when `embedded_worker`.
    pub fn new(embedded_worker: bool) -> Arc<Self> {
        let mut m = Self {
            statements: Counter::default(),
            statement_errors: Counter::default(),
            statement_seconds: Counter::default(),
            graphql_requests: Counter::default(),
            direct_answers: Counter::default(),
            direct_fallbacks: Counter::default(),
            operations: Family::default(),
            operation_seconds: Family::new_with_constructor(latency_histogram),
            errors: Family::default(),
            http: Family::default(),
            http_seconds: Family::new_with_constructor(latency_histogram),
            pool: Family::default(),
            logins: Family::default(),
            ws_connections: Gauge::default(),
            ws_subscriptions: Gauge::default(),
            event_gaps: Counter::default(),
            worker: None,
            names: Mutex::new(HashSet::new()),
            registry: worker::metrics::registry(),
        };
        let r = &mut m.registry;
        if embedded_worker {
            m.worker = Some(WorkerMetrics::registered(r));
        }
        r.register(
            "db_statements",
            "SQL statements executed",
            m.statements.clone(),
        );
        r.register(
            "db_statement_errors",
            "SQL statements that failed",
            m.statement_errors.clone(),
        );
        r.register(
            "db_statement_seconds",
            "Time spent in SQL statements",
            m.statement_seconds.clone(),
        );
        r.register(
            "db_pool_connections",
            "Database pool connections by state (idle, in_use), as of the scrape",
            m.pool.clone(),
        );
        r.register(
            "graphql_requests",
            "GraphQL operations received (batched ones each count)",
            m.graphql_requests.clone(),
        );
        r.register(
            "graphql_direct_answers",
            "GraphQL operations answered by a prepared plan (graphql::direct)",
            m.direct_answers.clone(),
        );
        r.register(
            "graphql_direct_fallbacks",
            "Operations of a prepared plan's shape that it left to the general path",
            m.direct_fallbacks.clone(),
        );
        r.register(
            "graphql_operations",
            "GraphQL operations executed, by operation name and type",
            m.operations.clone(),
        );
        r.register(
            "graphql_operation_duration_seconds",
            "Time to execute one GraphQL operation, by type",
            m.operation_seconds.clone(),
        );
        r.register(
            "graphql_errors",
            "Errors answered, by code (top-level extensions.code and userErrors codes)",
            m.errors.clone(),
        );
        r.register(
            "http_requests",
            "HTTP requests by method, route and status",
            m.http.clone(),
        );
        r.register(
            "http_request_duration_seconds",
            "Time to answer one HTTP request, by route",
            m.http_seconds.clone(),
        );
        r.register(
            "login_attempts",
            "Sign-ins by outcome (signed_in, refused, throttled)",
            m.logins.clone(),
        );
        r.register(
            "websocket_connections",
            "Open /graphql/ws connections",
            m.ws_connections.clone(),
        );
        r.register(
            "websocket_subscriptions",
            "Running subscriptions on /graphql/ws",
            m.ws_subscriptions.clone(),
        );
        r.register(
            "event_hub_gaps_skipped",
            "Runs of missing audit ids (rolled-back transactions) the event hub stopped waiting for",
            m.event_gaps.clone(),
        );
        Arc::new(m)
    }

    /// The counter of the event hub's given-up gaps (`events::hub::Gaps`).
    pub fn event_gaps(&self) -> Counter {
        self.event_gaps.clone()
    }

    /// Hooks the statement counters into every statement the connection runs.
    pub fn observe(self: &Arc<Self>, db: &mut sea_orm::DatabaseConnection) {
        let metrics = self.clone();
        db.set_metric_callback(move |info| {
            metrics.statements.inc();
            metrics.statement_seconds.inc_by(info.elapsed.as_secs_f64());
            if info.failed {
                metrics.statement_errors.inc();
            }
        });
    }

    /// The exposition, with the figures read at scrape time refreshed first.
    pub async fn render(&self, db: &sea_orm::DatabaseConnection) -> String {
        let (size, idle) = pool_use(db);
        self.pool
            .get_or_create(&StateLabel { state: "idle" })
            .set(idle);
        self.pool
            .get_or_create(&StateLabel { state: "in_use" })
            .set(size - idle);
        if let Some(worker) = &self.worker
            && let Err(e) = worker.refresh_outbox(db).await
        {
            tracing::warn!(error = %e, "metrics: outbox figures not refreshed");
        }
        worker::metrics::encode(&self.registry)
    }
}

/// The application's metrics, from a resolver (absent only in the SDL-export schema).
pub fn of<'a>(ctx: &async_graphql::Context<'a>) -> Option<&'a Arc<ApiMetrics>> {
    ctx.data_opt::<Arc<ApiMetrics>>()
}

/// (connections, idle connections) of the pool.
fn pool_use(db: &sea_orm::DatabaseConnection) -> (i64, i64) {
    match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (i64::from(pool.size()), pool.num_idle() as i64)
        }
        sea_orm::DatabaseBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (i64::from(pool.size()), pool.num_idle() as i64)
        }
        _ => (0, 0),
    }
}
