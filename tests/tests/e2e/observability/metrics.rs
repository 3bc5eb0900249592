//! The API's `/metrics` after a walkthrough (embedded mode: the in-process worker's series
//! are in the same exposition).

use super::{assert_bounded_labels, samples, scrape, value};
use crate::events::EVENTS;
use crate::partnerships::{INVITATION, provider_and_reseller, request};
use e2e::services::eventually;
use e2e::ws::WsClient;
use e2e::{Backend, spawn_app_with};
use serde_json::json;
use std::time::Duration;

const TOKEN: &str = "scrape-secret";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_exposition_parses_and_carries_the_walkthrough() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.metrics.token = Some(TOKEN.to_owned().into())
    })
    .await;
    let (contoso, _fabrikam) = provider_and_reseller(&app).await;
    // A refused sign-in, a named query, a refused mutation (a userErrors code).
    app.try_login("admin@contoso.test", "not the password")
        .await;
    let viewer = app
        .post_json(
            json!({ "query": "query Dashboard { viewer { user { email } } }",
                    "operationName": "Dashboard" }),
            Some(&contoso),
        )
        .await;
    assert_eq!(viewer.status, 200);
    let refused = app
        .gql(
            crate::partnerships::REQUEST,
            json!({ "input": { "resellerEmail": "not an address" } }),
            Some(&contoso),
        )
        .await;
    let code = &refused.data()["requestPartnership"]["userErrors"][0]["code"];
    assert!(code.is_string(), "{}", refused.body);
    // An invitation whose email the in-process worker sends.
    let invited = request(&app, &contoso, "admin@fabrikam.test").await;
    eventually(
        "the invitation's email",
        Duration::from_secs(30),
        || async {
            let res = app
                .gql(INVITATION, json!({ "id": invited.id }), Some(&contoso))
                .await;
            (res.data()["node"]["delivery"]["status"] == "SENT").then_some(())
        },
    )
    .await;
    // A live subscription while scraping.
    let mut socket = WsClient::signed_in(&app.address, &contoso).await;
    socket.subscribe("1", EVENTS, json!({})).await;
    let url = format!("{}/metrics", app.address);
    let m = eventually(
        "the subscription counted",
        Duration::from_secs(10),
        || async {
            let m = scrape(&app.client, &url, TOKEN).await;
            (value(&m, "partner_center_websocket_subscriptions", &[]) == 1.0).then_some(m)
        },
    )
    .await;

    assert_eq!(value(&m, "partner_center_websocket_connections", &[]), 1.0);
    let operation = |name, kind| {
        value(
            &m,
            "partner_center_graphql_operations_total",
            &[("operation", name), ("type", kind)],
        )
    };
    assert_eq!(operation("Dashboard", "query"), 1.0);
    assert!(
        operation("anonymous", "mutation") >= 3.0,
        "logins and requests"
    );
    assert!(
        value(
            &m,
            "partner_center_graphql_operation_duration_seconds",
            &[("type", "query")]
        ) >= 1.0
    );
    assert!(
        value(
            &m,
            "partner_center_graphql_errors_total",
            &[("code", code.as_str().unwrap())]
        ) >= 1.0
    );
    assert!(
        value(
            &m,
            "partner_center_graphql_errors_total",
            &[("code", "INVALID_CREDENTIALS")]
        ) >= 1.0
    );
    assert_eq!(
        value(
            &m,
            "partner_center_login_attempts_total",
            &[("outcome", "refused")]
        ),
        1.0
    );
    assert!(
        value(
            &m,
            "partner_center_login_attempts_total",
            &[("outcome", "signed_in")]
        ) >= 2.0
    );
    let graphql_posts = value(
        &m,
        "partner_center_http_requests_total",
        &[("method", "POST"), ("route", "/graphql"), ("status", "200")],
    );
    assert!(graphql_posts >= 6.0, "{graphql_posts}");
    assert!(value(&m, "partner_center_db_statements_total", &[]) > 10.0);
    assert_eq!(
        samples(&m, "partner_center_db_pool_connections", &[]).len(),
        2
    );
    // The in-process worker's series.
    assert!(
        value(
            &m,
            "partner_center_jobs_total",
            &[("kind", "send-email"), ("outcome", "done")]
        ) >= 1.0
    );
    assert!(
        value(
            &m,
            "partner_center_delivery_latency_seconds",
            &[("channel", "email")]
        ) >= 1.0
    );
    assert_eq!(
        value(&m, "partner_center_outbox_unsent", &[("channel", "email")]),
        0.0
    );
    assert_eq!(
        value(
            &m,
            "partner_center_outbox_oldest_unsent_age_seconds",
            &[("channel", "email")]
        ),
        0.0
    );
    assert_bounded_labels(&m);

    // Closing the socket takes the connection and its subscription off the gauges.
    drop(socket);
    eventually("the socket uncounted", Duration::from_secs(10), || async {
        let m = scrape(&app.client, &url, TOKEN).await;
        (value(&m, "partner_center_websocket_connections", &[]) == 0.0
            && value(&m, "partner_center_websocket_subscriptions", &[]) == 0.0)
            .then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_chosen_operation_names_do_not_grow_the_series_without_bound() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.metrics.token = Some(TOKEN.to_owned().into())
    })
    .await;
    for i in 0..(api::metrics::MAX_OPERATION_NAMES + 20) {
        let name = format!("Probe{i}");
        let res = app
            .post_json(
                json!({ "query": format!("query {name} {{ __typename }}"), "operationName": name }),
                None,
            )
            .await;
        assert_eq!(res.status, 200);
    }
    let m = scrape(&app.client, &format!("{}/metrics", app.address), TOKEN).await;
    let series = samples(&m, "partner_center_graphql_operations_total", &[]);
    assert_eq!(
        series.len(),
        api::metrics::MAX_OPERATION_NAMES + 1,
        "the cap and `other`"
    );
    assert_eq!(
        value(
            &m,
            "partner_center_graphql_operations_total",
            &[("operation", "other")]
        ),
        20.0
    );
}

/// An email that cannot go out shows as unsent, with the age of the oldest, on both
/// databases (the age is read from the rows' own timestamps).
async fn waiting_email_is_counted(backend: Backend) {
    let port = e2e::smtp::free_port();
    let app = spawn_app_with(backend, |s| {
        s.metrics.token = Some(TOKEN.to_owned().into());
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into());
        s.jobs.max_attempts = 50;
    })
    .await;
    let (contoso, _) = provider_and_reseller(&app).await;
    let invited = request(&app, &contoso, "admin@fabrikam.test").await;
    eventually("a failed attempt", Duration::from_secs(30), || async {
        let res = app
            .gql(INVITATION, json!({ "id": invited.id }), Some(&contoso))
            .await;
        (res.data()["node"]["delivery"]["attempts"].as_i64() >= Some(1)).then_some(())
    })
    .await;
    let url = format!("{}/metrics", app.address);
    let m = eventually("an age over zero", Duration::from_secs(10), || async {
        let m = scrape(&app.client, &url, TOKEN).await;
        let age = value(
            &m,
            "partner_center_outbox_oldest_unsent_age_seconds",
            &[("channel", "email")],
        );
        (age > 0.0).then_some(m)
    })
    .await;
    assert_eq!(
        value(&m, "partner_center_outbox_unsent", &[("channel", "email")]),
        1.0
    );
    assert!(
        value(
            &m,
            "partner_center_jobs_total",
            &[("kind", "send-email"), ("outcome", "retried")]
        ) >= 1.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_email_is_counted_sqlite() {
    waiting_email_is_counted(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_email_is_counted_postgres() {
    waiting_email_is_counted(Backend::Postgres).await;
}
