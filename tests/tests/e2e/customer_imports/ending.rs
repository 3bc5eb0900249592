//! The end of an import's life: `cancelCustomerImport` (queued, or mid-run: the worker
//! writes nothing after the batch in progress), `deleteCustomerImport` (finished ones, with
//! their rows; the customers stay), a foreign id answering as a missing one, and a worker
//! that stops an import whose starter may no longer import (a user demoted, an API client
//! revoked mid-run).
//!
//! Uploads go to a server without a worker; a second server on the same database runs the
//! worker, so the test decides when work starts. The mid-run cases pause the worker between
//! batches (`IMPORTS__BATCH_PAUSE_MS`) and upload a second, later import: the worker takes
//! that one only after it has left the first, so its end is the moment to look.

use super::*;
use crate::customers::world;
use e2e::Backend;

const CANCEL: &str = "mutation($id: ID!) { cancelCustomerImport(input: { importId: $id }) {
  import { id status processed finishedAt } userErrors { code field } } }";
const DELETE: &str = "mutation($id: ID!) { deleteCustomerImport(input: { importId: $id }) {
  deletedImportId userErrors { code field } } }";

fn book(tag: &str, n: usize, basic: &str) -> Vec<u8> {
    let lines: Vec<String> = (0..n)
        .map(|i| line("C", &format!("{tag}{i}.example"), "", basic, 1, ""))
        .collect();
    file(&lines)
}

async fn no_worker(backend: Backend) -> TestApp {
    e2e::spawn_app_with(backend, |s| s.embedded_worker = Some(false)).await
}

/// A server on the same database that runs the import worker.
async fn worker(app: &TestApp, pause_ms: u64) -> TestApp {
    app.twin(|s| {
        s.embedded_worker = Some(true);
        s.imports.batch_rows = 1;
        s.imports.batch_pause_ms = pause_ms;
        s.imports.poll_interval_ms = 50;
    })
    .await
}

async fn cancelled_queued_imports_and_deleting(backend: Backend) {
    let app = no_worker(backend).await;
    let w = world(&app).await;
    let o = offers(&app, &w).await;
    let a = queued(
        &app,
        &w.provider,
        book("a", 2, &o.basic),
        json!({ "idempotencyKey": "a" }),
    )
    .await;
    let (_, other) = app
        .active_partner(
            "INDIRECT_PROVIDER",
            "Other Distribution",
            "admin@other.test",
        )
        .await;
    // Another provider's import answers as a missing one, on both paths.
    for op in [CANCEL, DELETE] {
        let res = app.gql(op, json!({ "id": a }), Some(&other)).await;
        assert_eq!(res.error_code(), "NOT_FOUND", "{op}");
        let res = app
            .gql(op, json!({ "id": "bm90LWFuLWlk" }), Some(&w.provider))
            .await;
        assert_eq!(res.error_code(), "NOT_FOUND", "{op}");
    }
    // A reseller is not a provider.
    let res = app.gql(CANCEL, json!({ "id": a }), Some(&w.reseller)).await;
    assert_eq!(res.error_code(), "FORBIDDEN");

    // Queued: not deletable; cancelled at once; not cancelled twice.
    let res = app.gql(DELETE, json!({ "id": a }), Some(&w.provider)).await;
    assert_eq!(
        res.data()["deleteCustomerImport"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
    let res = app.gql(CANCEL, json!({ "id": a }), Some(&w.provider)).await;
    let import = &res.data()["cancelCustomerImport"]["import"];
    assert_eq!(import["status"], "CANCELLED", "{res:?}");
    assert!(import["finishedAt"].is_string());
    let res = app.gql(CANCEL, json!({ "id": a }), Some(&w.provider)).await;
    assert_eq!(
        res.data()["cancelCustomerImport"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );

    // A worker comes: it leaves the cancelled import alone and does the next one.
    let b = queued(
        &app,
        &w.provider,
        book("b", 1, &o.basic),
        json!({ "idempotencyKey": "b" }),
    )
    .await;
    let _worker = worker(&app, 0).await;
    assert_eq!(finished(&app, &w.provider, &b).await["status"], "SUCCEEDED");
    let a_now = read(&app, &w.provider, &a).await;
    assert_eq!(a_now["status"], "CANCELLED");
    assert_eq!(a_now["processed"], 0);
    assert_eq!(domains(&app, &w.provider).await, vec!["b0.example"]);

    // Deleting: the import and its rows go, its customers stay; audited.
    for id in [&a, &b] {
        let res = app
            .gql(DELETE, json!({ "id": id }), Some(&w.provider))
            .await;
        assert_eq!(
            res.data()["deleteCustomerImport"]["deletedImportId"],
            json!(id),
            "{res:?}"
        );
        let gone = app.gql(READ, json!({ "id": id }), Some(&w.provider)).await;
        assert_eq!(gone.error_code(), "NOT_FOUND");
    }
    let res = app.gql(DELETE, json!({ "id": a }), Some(&w.provider)).await;
    assert_eq!(res.error_code(), "NOT_FOUND");
    assert_eq!(import_count(&app, &w.provider).await, 0);
    assert_eq!(domains(&app, &w.provider).await, vec!["b0.example"]);
    let log = app
        .gql(
            "{ auditLog(first: 20) { edges { node { action } } } }",
            json!({}),
            Some(&w.provider),
        )
        .await;
    let actions: Vec<&str> = log.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "customer_import.deleted")
            .count(),
        2,
        "{actions:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_imports_cancel_and_finished_ones_delete_sqlite() {
    cancelled_queued_imports_and_deleting(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_imports_cancel_and_finished_ones_delete_postgres() {
    cancelled_queued_imports_and_deleting(Backend::Postgres).await;
}

/// Waits until the worker has committed the first batch of `id`.
async fn first_batch_done(app: &TestApp, token: &str, id: &str) {
    e2e::services::eventually("the first batch", Duration::from_secs(60), || async {
        let import = read(app, token, id).await;
        (import["processed"] == 1).then_some(())
    })
    .await
}

async fn stopped_mid_run(backend: Backend) {
    let app = no_worker(backend).await;
    let w = world(&app).await;
    let o = offers(&app, &w).await;
    // Sam, a SALES_AGENT, starts an import; Contoso's admin starts one after it.
    let added = app
        .gql("mutation { addUser(input: {email: \"sam@contoso.test\", name: \"Sam\", role: SALES_AGENT}) { user { id } temporaryPassword } }", json!({}), Some(&w.provider))
        .await;
    let sam_id = added.data()["addUser"]["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let temporary = added.data()["addUser"]["temporaryPassword"]
        .as_str()
        .unwrap()
        .to_owned();
    let sam = app.login("sam@contoso.test", &temporary).await;
    let changed = app
        .gql("mutation($c: String!) { changePassword(input: {currentPassword: $c, newPassword: \"sams-own-password\"}) { userErrors { code } } }", json!({ "c": temporary }), Some(&sam))
        .await;
    assert_eq!(changed.data()["changePassword"]["userErrors"], json!([]));
    let sam = app.login("sam@contoso.test", "sams-own-password").await;
    let by_sam = queued(
        &app,
        &sam,
        book("s", 3, &o.basic),
        json!({ "idempotencyKey": "s" }),
    )
    .await;
    let c = queued(
        &app,
        &w.provider,
        book("c", 3, &o.basic),
        json!({ "idempotencyKey": "c" }),
    )
    .await;
    // An ERP's API client starts one too.
    let erp = crate::api_clients::create(
        &app,
        &w.provider,
        &["CUSTOMERS_READ", "CUSTOMERS_WRITE", "ORDERS_WRITE"],
    )
    .await;
    let erp_token = crate::api_clients::access_token(&app, &erp, None).await;
    let by_erp = queued(
        &app,
        &erp_token,
        book("e", 3, &o.basic),
        json!({ "idempotencyKey": "e" }),
    )
    .await;
    let d = queued(
        &app,
        &w.provider,
        book("d", 1, &o.basic),
        json!({ "idempotencyKey": "d" }),
    )
    .await;
    let _worker = worker(&app, 3_000).await;

    // Sam loses the right to import while the first batch's pause runs: the worker stops
    // that import at its next batch.
    first_batch_done(&app, &w.provider, &by_sam).await;
    let demoted = app
        .gql("mutation($id: ID!) { updateUser(input: { userId: $id, role: HELPDESK_AGENT }) { userErrors { code } } }", json!({ "id": sam_id }), Some(&w.provider))
        .await;
    assert_eq!(demoted.data()["updateUser"]["userErrors"], json!([]));
    // The next import: cancelled by the provider after its first batch.
    first_batch_done(&app, &w.provider, &c).await;
    let res = app.gql(CANCEL, json!({ "id": c }), Some(&w.provider)).await;
    assert_eq!(
        res.data()["cancelCustomerImport"]["import"]["status"],
        "CANCELLED",
        "{res:?}"
    );
    // The client is revoked while its import runs: the worker stops it too.
    first_batch_done(&app, &w.provider, &by_erp).await;
    let revoked = app
        .gql("mutation($id: ID!) { revokeApiClient(input: {apiClientId: $id}) { userErrors { code } } }", json!({ "id": erp.id }), Some(&w.provider))
        .await;
    assert_eq!(revoked.data()["revokeApiClient"]["userErrors"], json!([]));
    // The worker has left all three once it has finished the last one.
    assert_eq!(finished(&app, &w.provider, &d).await["status"], "SUCCEEDED");

    for (id, domain) in [
        (&by_sam, "s0.example"),
        (&c, "c0.example"),
        (&by_erp, "e0.example"),
    ] {
        let import = read(&app, &w.provider, id).await;
        assert_eq!(import["status"], "CANCELLED", "{import}");
        assert_eq!(
            (import["processed"].clone(), import["succeeded"].clone()),
            (json!(1), json!(1)),
            "{import}"
        );
        let rows = import["rows"]["edges"].as_array().unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0]["node"]["customer"]["domain"], domain);
        assert!(rows[1]["node"]["customer"].is_null() && rows[2]["node"]["customer"].is_null());
    }
    assert_eq!(
        domains(&app, &w.provider).await,
        vec!["c0.example", "d0.example", "e0.example", "s0.example"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_stop_mid_run_when_cancelled_or_their_starter_is_demoted_sqlite() {
    stopped_mid_run(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_stop_mid_run_when_cancelled_or_their_starter_is_demoted_postgres() {
    stopped_mid_run(Backend::Postgres).await;
}
