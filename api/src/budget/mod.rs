//! The cost budget: every caller (an API client, a user's session, an anonymous address)
//! has a bucket of points (`RATE_LIMITS__COST_BUCKET`, default 1,000) refilled at a steady
//! rate (`RATE_LIMITS__COST_RESTORE_PER_SECOND`, default 50). A request costs what the
//! document guard computes (`graphql::guard`, the schema's complexity: connections multiply
//! by `first`), at least 1; `rateLimit` alone costs nothing. It is charged by the HTTP and
//! WebSocket handlers before anything runs, so a request over budget runs nothing:
//! `RATE_LIMITED` with `retryAfterSeconds`, HTTP 429 and `Retry-After`. Every response
//! carries `extensions.cost` (Shopify's shape). Buckets are shared by every replica through
//! Redis, in-process in embedded mode (`store`); a busy caller is charged in process from a
//! lease of its shared bucket, never spending more than the bucket (`shared::lease`).
//! (Not a schema extension: with one installed, async-graphql wraps every field's
//! resolution; see `graphql::error_codes`.)
//!
//! If Redis does not answer, requests are served uncharged (logged): the budget protects
//! the service, and refusing everyone would be the outage it protects against.

pub mod graphql;
mod shared;
pub mod store;

pub use graphql::BudgetQuery;

use crate::auth::Actor;
use crate::settings::Settings;
use store::{Shape, Store, Taken};

/// Most in-process buckets (embedded mode): bounded memory whatever the callers.
pub const MAX_MEMORY_BUCKETS: usize = 100_000;

/// Request data: whose bucket pays (an API client, a session, or an address).
#[derive(Debug, Clone)]
pub struct Caller {
    pub key: String,
}

impl Caller {
    pub fn of(actor: Option<&Actor>, address: &str) -> Self {
        let key = match actor {
            Some(actor) => match actor.client() {
                Some(client) => format!("client:{}", client.id),
                None => format!("session:{}", actor.session_id),
            },
            None => format!("address:{address}"),
        };
        Self { key }
    }
}

/// What one checked operation costs: nothing for `rateLimit` alone, else the guard's cost.
pub fn cost_of(shape: &crate::graphql::guard::Shape) -> u64 {
    match &shape.root {
        Some((_, fields)) if is_free(fields) => 0,
        _ => shape.cost.max(1) as u64,
    }
}

/// `rateLimit` (with `__typename` at most) costs nothing: reading the budget spends none.
pub fn is_free(root_fields: &[String]) -> bool {
    root_fields.iter().any(|f| f == "rateLimit")
        && root_fields
            .iter()
            .all(|f| f == "rateLimit" || f == "__typename")
}

/// The buckets and their shape (schema data).
pub struct Budget {
    store: Store,
    shape: Shape,
}

/// One charge as reported in `extensions.cost`.
#[derive(Debug, Clone, Copy)]
pub struct Report {
    pub cost: u64,
    pub allowed: bool,
    pub remaining: f64,
    pub shape: Shape,
}

impl Report {
    /// Whole seconds until the bucket holds `cost` again (at least 1).
    pub fn retry_after_seconds(&self) -> i64 {
        let missing = self.cost as f64 - self.remaining;
        match self.shape.per_second {
            0 => 3600,
            rate => (missing / rate as f64).ceil().max(1.0) as i64,
        }
    }

    /// `{requestedQueryCost, throttleStatus: {maximumAvailable, currentlyAvailable,
    /// restoreRate}}`.
    pub fn value(&self) -> async_graphql::Value {
        let json = serde_json::json!({
            "requestedQueryCost": self.cost,
            "throttleStatus": {
                "maximumAvailable": self.shape.capacity,
                "currentlyAvailable": self.remaining.floor().max(0.0) as u64,
                "restoreRate": self.shape.per_second,
            }
        });
        async_graphql::Value::from_json(json).unwrap_or_default()
    }
}

impl Budget {
    pub fn new(store: Store, settings: &Settings) -> Self {
        Self {
            store,
            shape: Shape {
                capacity: settings.rate_limits.cost_bucket,
                per_second: settings.rate_limits.cost_restore_per_second,
            },
        }
    }

    /// The error of a refused request (`RATE_LIMITED`, `retryAfterSeconds`).
    pub fn refusal(report: &Report, lang: worker::i18n::Lang) -> async_graphql::ServerError {
        let retry = report.retry_after_seconds();
        let message = worker::msg!(
            "error-cost-budget",
            cost = report.cost as i64,
            available = report.remaining.floor() as i64,
            seconds = retry
        )
        .render(lang);
        let mut error = async_graphql::ServerError::new(message, None);
        let extensions = error.extensions.get_or_insert_with(Default::default);
        extensions.set("code", "RATE_LIMITED");
        extensions.set("retryAfterSeconds", retry);
        error
    }

    /// Redis when `REDIS_URL` is set, else in-process.
    pub async fn connect(settings: &Settings) -> Result<Self, redis::RedisError> {
        use secrecy::ExposeSecret;
        let store = match &settings.redis_url {
            Some(url) => Store::Redis(
                store::Redis::connect_with(url.expose_secret(), settings.rate_limits.cost_leases)
                    .await?,
            ),
            None => Store::Memory(store::Memory::new(MAX_MEMORY_BUCKETS)),
        };
        Ok(Self::new(store, settings))
    }

    /// False with `RATE_LIMITS__COST_BUCKET=0`: nothing is charged or reported (for
    /// measuring what the budget costs; not meant for production).
    pub fn enabled(&self) -> bool {
        self.shape.capacity > 0
    }

    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// Charges `cost` to `key` now (0 reads the bucket).
    pub async fn charge(&self, key: &str, cost: u64) -> Report {
        let taken = match self.store.take(key, cost, self.shape, now_ms()).await {
            Ok(taken) => taken,
            Err(e) => {
                if !e.to_string().contains(store::PAUSED) {
                    tracing::error!(error = %e, "cost budget unavailable; serving uncharged");
                }
                Taken {
                    allowed: true,
                    remaining: self.shape.capacity as f64,
                }
            }
        };
        Report {
            cost,
            allowed: taken.allowed,
            remaining: taken.remaining,
            shape: self.shape,
        }
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
