//! The worker's metrics, and the exposition every process serves on `/metrics`.
//!
//! One maintained library, `prometheus-client` (the Prometheus project's Rust client), holds
//! every series in a [`Registry`] owned by the process that serves it: the worker binary
//! registers [`WorkerMetrics`] in its own registry; the API registers its series and, in
//! embedded mode, the in-process worker's into one registry, so one scrape shows both. No
//! global recorder: test processes run many apps at once, each counting its own.
//!
//! Labels are small closed sets (job kinds, outcomes, channels, codes): never ids or
//! addresses, so the number of series stays bounded whatever the traffic.

use chrono::{DateTime, Utc};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
pub use prometheus_client::registry::Registry;
use sea_orm::{ConnectionTrait, DbErr, Statement};
use std::sync::atomic::AtomicU64;
use std::time::Duration;

/// Every series name starts with this.
pub const PREFIX: &str = "partner_center";

/// The media type of [`encode`]'s output.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// A registry whose series are all named `partner_center_…`.
pub fn registry() -> Registry {
    Registry::with_prefix(PREFIX)
}

/// The registry in the OpenMetrics text format (which Prometheus reads).
pub fn encode(registry: &Registry) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut out, registry);
    out
}

/// Latency buckets from 1 ms to about 65 s, doubling.
pub fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 17))
}

/// The worker's jobs.
#[derive(Clone, Copy, Debug)]
pub enum JobKind {
    SendEmail,
    OutboxRelay,
    InvitationExpiry,
    Retention,
    WebhookPass,
}

impl JobKind {
    fn label(self) -> &'static str {
        match self {
            Self::SendEmail => "send-email",
            Self::OutboxRelay => "outbox-relay",
            Self::InvitationExpiry => "invitation-expiry",
            Self::Retention => "retention",
            Self::WebhookPass => "webhook-delivery",
        }
    }
}

/// How a job run ended: its work done (or nothing to do), a retry scheduled, or given up.
#[derive(Clone, Copy, Debug)]
pub enum JobOutcome {
    Done,
    Retried,
    Failed,
}

impl JobOutcome {
    fn label(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Retried => "retried",
            Self::Failed => "failed",
        }
    }
}

/// What goes out: emails and webhook deliveries.
#[derive(Clone, Copy, Debug)]
pub enum Channel {
    Email,
    Webhook,
}

impl Channel {
    fn label(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Webhook => "webhook",
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    kind: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ChannelLabel {
    channel: &'static str,
}

type F64Gauge = Gauge<f64, AtomicU64>;

/// The series of the jobs (`partner_center_jobs_total`, …); cheap to clone (shared cells).
#[derive(Clone, Debug)]
pub struct WorkerMetrics {
    jobs: Family<JobLabels, Counter>,
    job_seconds: Family<KindLabel, Histogram>,
    delivery_seconds: Family<ChannelLabel, Histogram>,
    expiry_runs: Counter,
    expired: Counter,
    unsent: Family<ChannelLabel, Gauge>,
    oldest_unsent: Family<ChannelLabel, F64Gauge>,
}

impl Default for WorkerMetrics {
    fn default() -> Self {
        Self {
            jobs: Family::default(),
            job_seconds: Family::new_with_constructor(latency_histogram),
            delivery_seconds: Family::new_with_constructor(latency_histogram),
            expiry_runs: Counter::default(),
            expired: Counter::default(),
            unsent: Family::default(),
            oldest_unsent: Family::default(),
        }
    }
}

impl WorkerMetrics {
    /// New series, registered in `registry`.
    pub fn registered(registry: &mut Registry) -> Self {
        let m = Self::default();
        registry.register(
            "jobs",
            "Job runs by kind and outcome (done, retried, failed)",
            m.jobs.clone(),
        );
        registry.register(
            "job_duration_seconds",
            "How long one job run took, by kind",
            m.job_seconds.clone(),
        );
        registry.register(
            "delivery_latency_seconds",
            "From the commit that queued an email or webhook delivery to its acceptance by \
             the SMTP server or the endpoint, by channel",
            m.delivery_seconds.clone(),
        );
        registry.register(
            "expiry_runs",
            "Passes of the invitation expiry job",
            m.expiry_runs.clone(),
        );
        registry.register(
            "expired_invitations",
            "Invitations and relationship requests expired by the expiry job",
            m.expired.clone(),
        );
        registry.register(
            "outbox_unsent",
            "Emails and webhook deliveries not yet sent (queued or awaiting a retry), as of \
             the scrape",
            m.unsent.clone(),
        );
        registry.register(
            "outbox_oldest_unsent_age_seconds",
            "Age of the oldest unsent email or webhook delivery (0 when none), as of the \
             scrape",
            m.oldest_unsent.clone(),
        );
        m
    }

    /// One run of a job.
    pub fn job(&self, kind: JobKind, outcome: JobOutcome, took: Duration) {
        self.jobs
            .get_or_create(&JobLabels {
                kind: kind.label(),
                outcome: outcome.label(),
            })
            .inc();
        self.job_seconds
            .get_or_create(&KindLabel { kind: kind.label() })
            .observe(took.as_secs_f64());
    }

    /// Something committed at `queued_at` was accepted by its receiver just now.
    pub fn delivered(&self, channel: Channel, queued_at: DateTime<Utc>) {
        let seconds = (Utc::now() - queued_at).num_milliseconds().max(0) as f64 / 1000.0;
        self.delivery_seconds
            .get_or_create(&ChannelLabel {
                channel: channel.label(),
            })
            .observe(seconds);
    }

    /// One expiry pass that expired `rows`.
    pub fn expiry_run(&self, rows: u64) {
        self.expiry_runs.inc();
        self.expired.inc_by(rows);
    }

    /// Reads the outbox gauges from the database (one statement); called before a scrape
    /// is encoded, so the figures are those of the moment of the scrape.
    pub async fn refresh_outbox<C: ConnectionTrait>(&self, db: &C) -> Result<(), DbErr> {
        // Ages in the database's clock: the same clock that stamped the rows.
        let sql = "SELECT 'email' AS channel, COUNT(*) AS unsent, MIN(created_at) AS oldest \
                   FROM outbound_emails WHERE status = 'QUEUED' \
                   UNION ALL \
                   SELECT 'webhook', COUNT(*), MIN(created_at) \
                   FROM webhook_deliveries WHERE status = 'PENDING'";
        let rows = db
            .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
            .await?;
        let now = Utc::now();
        for row in rows {
            let channel: String = row.try_get("", "channel")?;
            let channel = match channel.as_str() {
                "email" => Channel::Email,
                _ => Channel::Webhook,
            };
            let unsent: i64 = row.try_get("", "unsent")?;
            let oldest: Option<DateTime<Utc>> = row.try_get("", "oldest")?;
            let label = ChannelLabel {
                channel: channel.label(),
            };
            self.unsent.get_or_create(&label).set(unsent);
            let age = oldest.map_or(0.0, |t| (now - t).num_milliseconds().max(0) as f64 / 1e3);
            self.oldest_unsent.get_or_create(&label).set(age);
        }
        Ok(())
    }
}

/// The `/metrics` access rule of both processes: `None` when the request may read the
/// series; else the answer to give (404 when no token is configured, as if the route did not
/// exist; 401 when the request does not carry it).
pub fn refuse(
    headers: &axum::http::HeaderMap,
    token: Option<&secrecy::SecretString>,
) -> Option<axum::response::Response> {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    use secrecy::ExposeSecret;
    let Some(token) = token else {
        return Some(StatusCode::NOT_FOUND.into_response());
    };
    if bearer_matches(headers, token.expose_secret()) {
        return None;
    }
    Some(
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response(),
    )
}

/// True when `headers` carry `Authorization: Bearer <expected>` (compared in constant time).
pub fn bearer_matches(headers: &axum::http::HeaderMap, expected: &str) -> bool {
    use sha2::{Digest, Sha256};
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map_or("", |(_, token)| token.trim());
    // Equal-length digests, compared without an early exit.
    let (a, b) = (Sha256::digest(given), Sha256::digest(expected));
    !expected.is_empty()
        && a.iter()
            .zip(b.iter())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
