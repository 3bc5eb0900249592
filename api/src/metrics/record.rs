//! Recording: the calls features make (one line each) and the label sets they fill.

use super::{ApiMetrics, MAX_OPERATION_NAMES};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::gauge::Gauge;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct OperationLabels {
    pub(super) operation: String,
    pub(super) r#type: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct TypeLabel {
    pub(super) r#type: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct CodeLabel {
    pub(super) code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct HttpLabels {
    pub(super) method: String,
    pub(super) route: String,
    pub(super) status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct RouteLabel {
    pub(super) route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct StateLabel {
    pub(super) state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct OutcomeLabel {
    pub(super) outcome: &'static str,
}

/// How a sign-in ended.
#[derive(Clone, Copy, Debug)]
pub enum LoginOutcome {
    SignedIn,
    /// Wrong password or unknown account.
    Refused,
    /// Over the attempt limit (`RATE_LIMITED`).
    Throttled,
}

impl ApiMetrics {
    /// GraphQL operations received in one HTTP request.
    pub fn requests(&self, n: usize) {
        self.graphql_requests.inc_by(n as u64);
    }

    /// A prepared plan answered (`true`) or left a request to the general path.
    pub fn direct(&self, answered: bool) {
        if answered {
            self.direct_answers.inc();
        } else {
            self.direct_fallbacks.inc();
        }
    }

    /// One executed operation: its name (as the client gave it), type, time and the codes
    /// of the errors it answered.
    pub fn operation<'a>(
        &self,
        name: Option<&str>,
        kind: &'static str,
        took: Duration,
        codes: impl IntoIterator<Item = &'a str>,
    ) {
        let operation = self.operation_label(name);
        self.operations
            .get_or_create(&OperationLabels {
                operation,
                r#type: kind,
            })
            .inc();
        self.operation_seconds
            .get_or_create(&TypeLabel { r#type: kind })
            .observe(took.as_secs_f64());
        for code in codes {
            self.error(code);
        }
    }

    /// One error answered with `code` (codes are the API's closed set; anything else is
    /// counted as `other`).
    pub fn error(&self, code: &str) {
        let known = code.len() <= 40 && code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
        let code = if known { code } else { "other" };
        self.errors
            .get_or_create(&CodeLabel {
                code: code.to_owned(),
            })
            .inc();
    }

    /// A GraphQL name with a series of its own, `anonymous`, or `other` once the cap is
    /// reached.
    fn operation_label(&self, name: Option<&str>) -> String {
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            return "anonymous".into();
        };
        let well_formed = name.len() <= 64
            && name
                .chars()
                .next()
                .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
            && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric());
        if !well_formed {
            return "other".into();
        }
        let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        if names.contains(name) || names.len() < MAX_OPERATION_NAMES {
            names.insert(name.to_owned());
            name.to_owned()
        } else {
            "other".into()
        }
    }

    /// One answered HTTP request (`route` is the matched route pattern, never the path).
    pub fn http_request(&self, method: &str, route: &str, status: u16, took: Duration) {
        self.http
            .get_or_create(&HttpLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
            })
            .inc();
        self.http_seconds
            .get_or_create(&RouteLabel {
                route: route.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    /// One sign-in, by what `login` answered (an internal error is not a sign-in outcome).
    pub fn login_result<T>(&self, result: &crate::error::ApiResult<T>) {
        use crate::error::ApiError;
        match result {
            Ok(_) => self.login(LoginOutcome::SignedIn),
            Err(ApiError::User(_)) => self.login(LoginOutcome::Refused),
            Err(ApiError::RateLimited { .. }) => self.login(LoginOutcome::Throttled),
            Err(_) => {}
        }
    }

    /// One sign-in.
    pub fn login(&self, outcome: LoginOutcome) {
        let outcome = match outcome {
            LoginOutcome::SignedIn => "signed_in",
            LoginOutcome::Refused => "refused",
            LoginOutcome::Throttled => "throttled",
        };
        self.logins.get_or_create(&OutcomeLabel { outcome }).inc();
    }

    /// Counts an open WebSocket connection until the returned guard drops.
    pub fn websocket(self: &Arc<Self>) -> Open {
        self.ws_connections.inc();
        Open(self.ws_connections.clone())
    }

    /// Counts a running subscription until the returned guard drops.
    pub fn subscription(self: &Arc<Self>) -> Open {
        self.ws_subscriptions.inc();
        Open(self.ws_subscriptions.clone())
    }
}

/// Something counted in a gauge while it lives.
pub struct Open(Gauge);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.dec();
    }
}
