//! Typed settings layered as defaults < optional TOML file < environment variables.
//!
//! With nothing set the server runs embedded: SQLite and the job queue under `./data/`,
//! mail written to `./data/outbox/`. `DATABASE_URL`, `REDIS_URL`, `SMTP_URL` switch to the
//! production parts. Secrets are `SecretString` so they never show up in `Debug` output.

use secrecy::SecretString;
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free port (tests).
    pub bind: String,
    /// Base URL used in links sent to people (invitation emails). Defaults to `http://{bind}`.
    pub public_url: Option<String>,
    pub database_url: Option<SecretString>,
    pub redis_url: Option<SecretString>,
    pub smtp_url: Option<SecretString>,
    /// Where embedded mode keeps its SQLite files and outbox.
    pub data_dir: PathBuf,
    pub log_format: LogFormat,
    pub session_ttl_hours: i64,
    /// Seconds in-flight requests get to finish after SIGTERM / ctrl-c.
    pub shutdown_grace_seconds: u64,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// How many trusted proxies append to `X-Forwarded-For` in front of the server: the
    /// client is the entry that many places from the right (what the outermost trusted
    /// proxy saw). Entries further left were written by the client and are ignored.
    pub forwarded_for_hops: usize,
    /// Run the job worker inside the API process. Defaults to on in embedded mode (no
    /// `REDIS_URL`) and off in production, where `worker` processes run the jobs.
    pub embedded_worker: Option<bool>,
    /// Lifetime of a partnership invitation link.
    pub invitation_ttl_days: i64,
    pub graphql: GraphqlSettings,
    pub login_throttle: LoginThrottleSettings,
    pub rate_limits: RateLimitSettings,
    pub metrics: MetricsSettings,
    /// Browser apps on other origins (`CORS__ALLOWED_ORIGINS`).
    pub cors: CorsSettings,
    /// Live subscriptions on `/graphql/ws` (`EVENTS__*`).
    pub events: EventSettings,
    /// Webhook registration and delivery (`WEBHOOKS__*`, shared with the worker).
    pub webhooks: worker::webhooks::WebhookSettings,
    /// Email delivery and scheduled jobs (shared with the worker binary).
    pub jobs: worker::JobSettings,
    /// Subscription terms (`SUBSCRIPTIONS__*`).
    pub subscriptions: SubscriptionSettings,
    /// Bulk customer imports (`IMPORTS__*`, read by the worker binary too).
    pub imports: crate::customer_imports::ImportSettings,
    /// The clock of second-factor codes and challenges: the system clock, unless a test
    /// moves it (never read from configuration).
    #[serde(skip)]
    pub clock: crate::mfa::Clock,
}

/// Subscription terms (issue 24).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct SubscriptionSettings {
    /// Days after a purchase or a renewal during which a subscription may be cancelled or
    /// lose licenses (`SUBSCRIPTIONS__CANCELLATION_WINDOW_DAYS`).
    pub cancellation_window_days: i64,
}

impl Default for SubscriptionSettings {
    fn default() -> Self {
        Self {
            cancellation_window_days: 7,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct GraphqlSettings {
    pub max_depth: usize,
    pub max_complexity: usize,
    /// Most selections a document may stand for once its fragments are expanded (fields,
    /// spreads, directives, arguments and the variables they use; see `graphql::guard`).
    pub max_selections: usize,
    /// Most values an introspection may answer by the guard's estimate (its lists times
    /// what they can hold in this schema; GraphiQL's own introspection is well within).
    pub max_introspection_values: usize,
    /// Largest response body, in bytes, the server writes for one request; a bigger answer
    /// is replaced by one `RESPONSE_TOO_LARGE` error.
    pub max_response_bytes: usize,
    /// Most operations accepted in one batched request.
    pub max_batch: usize,
    /// Largest request body, in bytes, other than an upload.
    pub max_body_bytes: usize,
    /// Largest `multipart/form-data` body (an upload: a customer import of up to 10,000
    /// rows, a logo); each upload also has its own, smaller bound.
    pub max_upload_bytes: usize,
    /// Introspection (and field suggestions) for GraphiQL; turn off to hide the schema.
    pub introspection: bool,
    /// A manifest of trusted documents read at start (`GRAPHQL__TRUSTED_DOCUMENTS_FILE`): a
    /// JSON object `{"sha256:<hex>": "<document>"}`, as graphql-codegen's client preset
    /// writes it (`trusted_documents`).
    pub trusted_documents_file: Option<PathBuf>,
    /// Run trusted documents only (`GRAPHQL__TRUSTED_DOCUMENTS_ONLY`): a request with a
    /// `query` text is refused (`PERSISTED_QUERY_REQUIRED`), but for GraphiQL's
    /// introspection while `introspection` is on.
    pub trusted_documents_only: bool,
    /// Prepared plans for the hot shapes (`graphql::direct`); `GRAPHQL__DIRECT_PLANS=false`
    /// sends every request down the general path (the e2e comparisons use it).
    pub direct_plans: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct LoginThrottleSettings {
    pub window_minutes: i64,
    /// Failed attempts per account inside the window before sign-in is refused.
    pub per_account: u64,
    /// Failed attempts per client address inside the window before sign-in is refused.
    pub per_address: u64,
}

/// Limits per sliding window of `window_minutes`, counted across replicas (`throttle`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct RateLimitSettings {
    pub window_minutes: i64,
    /// Enrollments from one client address (each one tells whether an email has an account).
    pub enrollments_per_address: u64,
    /// Invitation and relationship emails one organization may have sent (free text from
    /// the platform's address to any address).
    pub emails_per_organization: u64,
    /// Points in each caller's cost budget (`RATE_LIMITS__COST_BUCKET`): a request costs its
    /// complexity; the complexity limit never exceeds this.
    pub cost_bucket: u64,
    /// Points given back to each bucket per second (`RATE_LIMITS__COST_RESTORE_PER_SECOND`).
    pub cost_restore_per_second: u64,
    /// A replica charges a busy caller from a lease of its shared bucket instead of asking
    /// Redis for each request (`RATE_LIMITS__COST_LEASES`, on by default; off, every charge
    /// is asked of Redis and every figure is the bucket's exact one).
    pub cost_leases: bool,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            window_minutes: 60,
            enrollments_per_address: 20,
            emails_per_organization: 200,
            cost_bucket: 1_000,
            cost_restore_per_second: 50,
            cost_leases: true,
        }
    }
}

/// Cross-origin access for browser apps.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CorsSettings {
    /// Exact origins allowed, comma-separated (`https://app.example.com,http://localhost:5173`);
    /// none by default.
    pub allowed_origins: String,
}

/// Limits of live subscriptions over WebSocket.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct EventSettings {
    /// Open WebSocket connections per user; more are refused at `connection_init`.
    pub max_connections_per_user: usize,
    /// Subscriptions running at once on one connection.
    pub max_subscriptions_per_connection: usize,
    /// Largest message a client may send.
    pub max_message_bytes: usize,
    /// How often the server pings an idle connection (keeps proxies from closing it).
    pub keepalive_seconds: u64,
    /// How often a connection checks that its session still exists (it also checks at
    /// once when the user signs out, changes its password or is removed).
    pub session_check_seconds: u64,
    /// How long a client has to send `connection_init` after connecting.
    pub init_timeout_seconds: u64,
    /// How long a run of missing audit ids (rolled-back transactions) may hold back the
    /// events after it, however many ids the run has.
    pub gap_wait_ms: u64,
}

impl Default for EventSettings {
    fn default() -> Self {
        Self {
            max_connections_per_user: 10,
            max_subscriptions_per_connection: 20,
            max_message_bytes: 64 * 1024,
            keepalive_seconds: 30,
            session_check_seconds: 60,
            init_timeout_seconds: 10,
            gap_wait_ms: 3_000,
        }
    }
}

pub use worker::settings::MetricsSettings;

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            public_url: None,
            database_url: None,
            redis_url: None,
            smtp_url: None,
            data_dir: PathBuf::from("./data"),
            log_format: LogFormat::Text,
            session_ttl_hours: 24,
            shutdown_grace_seconds: 20,
            trust_forwarded_for: false,
            forwarded_for_hops: 1,
            embedded_worker: None,
            invitation_ttl_days: 30,
            graphql: GraphqlSettings::default(),
            login_throttle: LoginThrottleSettings::default(),
            rate_limits: RateLimitSettings::default(),
            metrics: MetricsSettings::default(),
            cors: CorsSettings::default(),
            events: EventSettings::default(),
            webhooks: Default::default(),
            jobs: worker::JobSettings::default(),
            subscriptions: SubscriptionSettings::default(),
            imports: Default::default(),
            clock: crate::mfa::Clock::default(),
        }
    }
}

impl Default for GraphqlSettings {
    fn default() -> Self {
        Self {
            // GraphiQL's own introspection query nests about 13 levels deep.
            max_depth: 16,
            max_complexity: 5_000,
            max_selections: 2_000,
            max_introspection_values: 200_000,
            max_response_bytes: 8 * 1024 * 1024,
            max_batch: 10,
            max_body_bytes: 2 * 1024 * 1024,
            max_upload_bytes: 9 * 1024 * 1024,
            introspection: true,
            trusted_documents_file: None,
            trusted_documents_only: false,
            direct_plans: true,
        }
    }
}

impl Default for LoginThrottleSettings {
    fn default() -> Self {
        Self {
            window_minutes: 15,
            per_account: 5,
            per_address: 30,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("invalid settings: {0}")]
pub struct SettingsError(#[from] config::ConfigError);

impl Settings {
    /// Defaults, then `partner-center.toml` (or the file named by `CONFIG_FILE`) when present,
    /// then environment variables (`DATABASE_URL`, `GRAPHQL__MAX_DEPTH`, ...).
    pub fn load() -> Result<Self, SettingsError> {
        let file = std::env::var("CONFIG_FILE").unwrap_or_else(|_| "partner-center.toml".into());
        let settings = config::Config::builder()
            .add_source(config::File::with_name(&file).required(false))
            .add_source(
                config::Environment::default()
                    .separator("__")
                    .try_parsing(true),
            )
            .build()?
            .try_deserialize()?;
        Ok(settings)
    }

    /// True when no production database is configured: SQLite under `data_dir`.
    pub fn is_embedded(&self) -> bool {
        self.database_url.is_none()
    }

    pub fn database_url(&self) -> String {
        worker::settings::embedded_database_url(self.database_url.as_ref(), &self.data_dir)
    }

    pub fn runs_embedded_worker(&self) -> bool {
        self.embedded_worker.unwrap_or(self.redis_url.is_none())
    }
}
