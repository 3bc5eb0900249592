//! One invitation is one trace across the API and the worker: both processes export their
//! spans over OTLP/HTTP (JSON) to a receiver under test, and the worker's send continues
//! the trace of the request that queued the email. Both run as processes of their own (a
//! tracing subscriber is global to its process).

use crate::partnerships::REQUEST;
use e2e::receiver::Receiver;
use e2e::services::{RedisServer, WorkerProcess, eventually};
use e2e::smtp::{SmtpSink, free_port};
use e2e::{Backend, spawn_app_with};
use entity::outbound_email;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::time::Duration;

/// One exported span.
#[derive(Debug, Clone)]
struct Span {
    service: String,
    name: String,
    trace: String,
    id: String,
    parent: String,
    /// The `email_id` attribute (a `send-email` span's), when it has one.
    email_id: Option<i64>,
}

/// Every span the collector received (OTLP/JSON `resourceSpans`).
fn spans(collector: &Receiver) -> Vec<Span> {
    let mut out = Vec::new();
    for request in collector.requests() {
        assert_eq!(request.path, "/v1/traces");
        let body = request.json();
        for resource in body["resourceSpans"].as_array().into_iter().flatten() {
            let service = resource["resource"]["attributes"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|a| a["key"] == "service.name")
                .and_then(|a| a["value"]["stringValue"].as_str())
                .unwrap_or_default()
                .to_owned();
            let all = resource["scopeSpans"].as_array().into_iter().flatten();
            for span in all.flat_map(|s| s["spans"].as_array().into_iter().flatten()) {
                let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
                // OTLP/JSON writes 64-bit integers as strings; accept numbers too.
                let email_id = span["attributes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|a| a["key"] == "email_id")
                    .map(|a| &a["value"]["intValue"])
                    .and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()));
                out.push(Span {
                    service: service.clone(),
                    name: text(&span["name"]),
                    trace: text(&span["traceId"]),
                    id: text(&span["spanId"]),
                    parent: text(&span["parentSpanId"]),
                    email_id,
                });
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_invitation_is_one_trace_across_the_api_and_the_worker() {
    one_trace(Path::Pushed).await;
}

/// The push after commit never reaches the worker (the API queues into another Redis
/// database), so only the outbox relay delivers the email: the row's `traceparent` keeps it
/// in the request's trace. (Under load a push can time out and leave the email to the
/// relay, whose job started a trace of its own before the row kept one.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_the_relay_delivers_continues_the_requests_trace() {
    one_trace(Path::Relayed).await;
}

/// How the email reaches the worker.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Path {
    /// The API's push after commit.
    Pushed,
    /// The worker's outbox relay alone.
    Relayed,
}

/// The reseller the test invites.
const INVITED: &str = "traced@fabrikam.test";

async fn one_trace(path: Path) {
    let redis = RedisServer::start();
    let sink = SmtpSink::start();
    let collector = Receiver::start().await;
    // A migrated PostgreSQL database of its own; the in-process app stays idle.
    let app = spawn_app_with(Backend::Postgres, |s| {
        s.embedded_worker = Some(false);
    })
    .await;
    let database_url = app.database_url.clone().expect("PostgreSQL");
    let otel = |service: &str, database: u8| {
        [
            ("DATABASE_URL", database_url.clone()),
            ("REDIS_URL", format!("{}/{database}", redis.url())),
            ("DATA_DIR", app.data_dir.display().to_string()),
            ("RUST_LOG", "info".to_owned()),
            (
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                format!("http://{}", collector.addr),
            ),
            ("OTEL_BSP_SCHEDULE_DELAY", "100".to_owned()),
            ("OTEL_SERVICE_NAME", service.to_owned()),
        ]
    };
    let port = free_port();
    // Relayed: the API's pushes land in a Redis database no worker reads, and its rows are
    // due for the relay at once; the worker's relay looks every second.
    let api_database = if path == Path::Relayed { 1 } else { 0 };
    let mut api_env = otel("api-under-test", api_database).to_vec();
    api_env.extend([
        ("BIND", format!("127.0.0.1:{port}")),
        ("EMBEDDED_WORKER", "false".to_owned()),
    ]);
    if path == Path::Relayed {
        api_env.push(("JOBS__RELAY_AFTER_MS", "0".to_owned()));
    }
    let _api = WorkerProcess::spawn_api(&["serve", "--demo"], &api_env);
    let mut worker_env = otel("worker-under-test", 0).to_vec();
    worker_env.push(("SMTP_URL", sink.url()));
    worker_env.push(("JOBS__RELAY_INTERVAL_SECONDS", "1".to_owned()));
    // The schedules' passes every second: their emails (the demo term's notices) always go
    // out beside the invitation's, as they do in a run that crosses a minute's boundary.
    worker_env.push(("JOBS__EXPIRY_INTERVAL_SECONDS", "1".to_owned()));
    let _worker = WorkerProcess::spawn(&worker_env);

    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let gql = |query: &'static str, variables: Value, token: Option<String>| {
        let mut request = client
            .post(format!("{base}/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move { request.send().await.ok()?.json::<Value>().await.ok() }
    };
    const LOGIN: &str = "mutation($e: String!, $p: String!) {
      login(input: {email: $e, password: $p}) { token } }";
    let token = eventually(
        "the API process signs in",
        Duration::from_secs(60),
        || async {
            let answer = gql(
                LOGIN,
                json!({ "e": "provider@demo.test", "p": "demo-password" }),
                None,
            )
            .await?;
            answer["data"]["login"]["token"].as_str().map(str::to_owned)
        },
    )
    .await;
    let requested = gql(
        REQUEST,
        json!({ "input": { "resellerEmail": INVITED } }),
        Some(token),
    )
    .await
    .expect("an answer");
    assert_eq!(
        requested["data"]["requestPartnership"]["userErrors"],
        json!([]),
        "{requested}"
    );

    // The invitation's own email: the worker's schedules send others beside it (the demo's
    // term ends minutes after seeding, so the first pass on a minute's boundary sends its
    // notices, which belong to no request). Taking the first send of any email made this
    // test fail whenever such a pass came before the invitation's send.
    let invitation = outbound_email::Entity::find()
        .filter(outbound_email::Column::ToAddress.eq(INVITED))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the invitation's email")
        .id;
    // Every send of the invitation's email (a duplicate job would be a second one).
    let sends = |spans: &[Span]| -> Vec<Span> {
        spans
            .iter()
            .filter(|s| s.service == "worker-under-test" && s.name == "send-email")
            .filter(|s| s.email_id == Some(i64::from(invitation)))
            .cloned()
            .collect()
    };
    eventually(
        "a send-email span with the invitation's email_id attribute",
        Duration::from_secs(60),
        || async { sends(&spans(&collector)).into_iter().next() },
    )
    .await;
    let (send, api_parent) = eventually("one trace", Duration::from_secs(60), || async {
        let spans = spans(&collector);
        sends(&spans).into_iter().find_map(|send| {
            let parent = spans
                .iter()
                .find(|s| s.service == "api-under-test" && s.id == send.parent)?;
            Some((send, parent.clone()))
        })
    })
    .await;
    let invited = sink
        .received()
        .into_iter()
        .filter(|m| m.to.iter().any(|to| to.contains(INVITED)))
        .count();
    assert_eq!(invited, 1, "the invitation went out once");
    assert_eq!(
        send.trace, api_parent.trace,
        "the worker continues the API's trace"
    );
    assert_eq!(api_parent.name, "request", "{api_parent:?}");
    // Under whichever of the invitation's sends talked to the SMTP server.
    let smtp = eventually("the SMTP span", Duration::from_secs(30), || async {
        let spans = spans(&collector);
        let sends = sends(&spans);
        spans
            .into_iter()
            .find(|s| s.name == "smtp-send" && sends.iter().any(|send| s.parent == send.id))
    })
    .await;
    assert_eq!(smtp.trace, send.trace);
    assert_eq!(smtp.service, "worker-under-test");
}
