//! What a failing receiver answers, and what the database refuses, against the delivery
//! loop: the worker reads a bounded start of an answer (a 64 MiB one is cut off, the rest
//! never read), stores what it keeps so that it fits its column as stored (a reason full
//! of quotes), and counts every attempt even when the database refuses part of its result,
//! so a receiver is never called again and again for one delivery.

use super::both;
use crate::events::{WAIT, create_endpoint, deliveries, endpoint, webhook_app};
use crate::partnerships::request;
use e2e::Backend;
use e2e::receiver::Receiver;
use e2e::services::eventually;
use sea_orm::ConnectionTrait;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const REQUESTED: &[&str] = &["PARTNERSHIP_INVITATION_REQUESTED"];
const HUGE: usize = 64 * 1024 * 1024;

/// A receiver that answers its first request 500 with a `total`-byte body, written as fast
/// as the reader takes it; the task returns how many body bytes it could write before the
/// reader hung up (all of them if it read everything).
async fn huge_answer(total: usize) -> (String, tokio::task::JoinHandle<usize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return 0,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let status = format!(
            "HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain\r\n\
             content-length: {total}\r\n\r\n"
        );
        if stream.write_all(status.as_bytes()).await.is_err() {
            return 0;
        }
        let chunk = vec![b'x'; 64 * 1024];
        let mut written = 0;
        while written < total {
            let end = chunk.len().min(total - written);
            match stream.write(&chunk[..end]).await {
                Ok(0) | Err(_) => break,
                Ok(n) => written += n,
            }
        }
        written
    });
    (url, task)
}

async fn a_huge_error_answer_is_read_only_as_far_as_it_is_kept(backend: Backend) {
    let app = webhook_app(backend, |s| {
        s.webhooks.max_attempts = 1;
        // Time enough to read it all: the bound must come from reading, not from a timeout.
        s.webhooks.timeout_seconds = 120;
    })
    .await;
    let (_, admin) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let (url, written) = huge_answer(HUGE).await;
    let (endpoint_id, _) = create_endpoint(&app, &admin, &url, REQUESTED).await;
    request(&app, &admin, "admin@fabrikam.test").await;

    let failed = eventually("the delivery FAILED", WAIT, || async {
        let log = deliveries(&app, &admin, &endpoint_id).await;
        log.into_iter().find(|d| d["status"] == "FAILED")
    })
    .await;
    let error = failed["lastError"].as_str().unwrap();
    assert!(error.starts_with("HTTP 500"), "{error}");
    assert!(error.chars().count() <= 240, "{} characters", error.len());
    assert!(error.ends_with(&"x".repeat(200)), "{error}");
    // The receiver could write only what the worker read plus what the sockets' buffers
    // held when the worker hung up: a few MiB on loopback, never the 64 MiB.
    let written = written.await.unwrap();
    println!("the receiver wrote {written} of {HUGE} bytes");
    assert!(written < HUGE / 4, "{written} bytes of {HUGE} were taken");
}
both!(a_huge_error_answer_is_read_only_as_far_as_it_is_kept);

async fn a_receiver_error_full_of_quotes_is_recorded_once(backend: Backend) {
    let app = webhook_app(backend, |s| {
        // The first failure disables the endpoint, with the error in the reason.
        s.webhooks.disable_after_hours = 0;
        s.webhooks.max_attempts = 3;
        // A result left unwritten would have its delivery sent again after a second.
        s.webhooks.claim_seconds = 1;
    })
    .await;
    let (_, admin) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let receiver = Receiver::start().await;
    receiver.always(Some(500));
    // 300 characters that JSON writes as 600.
    receiver.body("\"\\".repeat(150));
    let (endpoint_id, _) = create_endpoint(&app, &admin, &receiver.url(), REQUESTED).await;
    request(&app, &admin, "admin@fabrikam.test").await;

    // Failed once (which disabled the endpoint), then not tried again: FAILED.
    let failed = eventually("the delivery FAILED", WAIT, || async {
        let log = deliveries(&app, &admin, &endpoint_id).await;
        log.into_iter().find(|d| d["status"] == "FAILED")
    })
    .await;
    assert_eq!(failed["attempts"], 2, "{failed}");
    assert_eq!(receiver.requests().len(), 1, "the receiver was called once");
    let shown = endpoint(&app, &admin, &endpoint_id).await;
    assert_eq!(shown["enabled"], false, "{shown}");
    let reason = shown["disabledReason"].as_str().unwrap();
    assert!(reason.contains("HTTP 500"), "{reason}");
    assert!(
        reason.contains("\"\\\"\\"),
        "the error is quoted in the reason: {reason}"
    );
    // As stored, it fits the column (SQLite would take more; PostgreSQL would refuse it).
    let stored = super::stored_endpoints(&app).await;
    let stored = stored[0].disabled_reason.as_deref().unwrap();
    assert!(stored.chars().count() <= 500, "{} characters", stored.len());
}
both!(a_receiver_error_full_of_quotes_is_recorded_once);

/// Makes the database refuse every change of an endpoint row (the health the worker
/// writes with each result), as a constraint or a full disk would.
async fn refuse_endpoint_updates(app: &e2e::TestApp) {
    let statements: &[&str] = match app.backend {
        Backend::Postgres => &[
            "CREATE FUNCTION refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN RAISE EXCEPTION 'refused by the test'; END $$",
            "CREATE TRIGGER refuse_update BEFORE UPDATE ON webhook_endpoints \
             FOR EACH ROW EXECUTE FUNCTION refuse_update()",
        ],
        Backend::Sqlite => &[
            "CREATE TRIGGER refuse_update BEFORE UPDATE ON webhook_endpoints \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
        ],
    };
    for sql in statements {
        app.db.execute_unprepared(sql).await.unwrap();
    }
}

async fn a_result_the_database_refuses_still_counts_as_an_attempt(backend: Backend) {
    let app = webhook_app(backend, |s| {
        s.webhooks.max_attempts = 3;
        s.webhooks.claim_seconds = 1;
    })
    .await;
    let (_, admin) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let receiver = Receiver::start().await;
    receiver.always(Some(503));
    let (endpoint_id, _) = create_endpoint(&app, &admin, &receiver.url(), REQUESTED).await;
    refuse_endpoint_updates(&app).await;
    request(&app, &admin, "admin@fabrikam.test").await;

    let failed = eventually("the delivery FAILED", WAIT, || async {
        let log = deliveries(&app, &admin, &endpoint_id).await;
        log.into_iter().find(|d| d["status"] == "FAILED")
    })
    .await;
    assert_eq!(failed["attempts"], 3, "{failed}");
    assert_eq!(
        failed["lastError"],
        json!("the result of this attempt could not be recorded")
    );
    assert_eq!(
        receiver.requests().len(),
        3,
        "one request per attempt, no more"
    );
}
both!(a_result_the_database_refuses_still_counts_as_an_attempt);
