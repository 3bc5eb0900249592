//! The created admins' temporary passwords: downloaded once by the importing user as CSV,
//! then 410 Gone; a colleague, another provider or no token get nothing; passwords never
//! taken are erased after `IMPORTS__CREDENTIALS_TTL_HOURS`. And the tenancy of imports.

use super::*;
use crate::customers::world;
use e2e::{Backend, e2e};

async fn get(app: &TestApp, id: &str, token: Option<&str>) -> (u16, String) {
    let mut req = app
        .client
        .get(format!("{}/imports/{id}/credentials.csv", app.address));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

async fn two_customers(app: &TestApp, w: &World, key: &str) -> String {
    let o = offers(app, w).await;
    let bytes = file(&[
        line(
            "Alpine \"Ski\" Inc",
            "alpine.example",
            &w.reseller_id,
            &o.basic,
            5,
            "",
        ),
        line("Coho Winery", "coho.example", "", &o.basic, 3, ""),
    ]);
    let bytes = String::from_utf8(bytes)
        .unwrap()
        .replace("Alpine \"Ski\" Inc", "\"Alpine \"\"Ski\"\", Inc\"")
        .into_bytes();
    let id = queued(app, &w.provider, bytes, json!({ "idempotencyKey": key })).await;
    let import = finished(app, &w.provider, &id).await;
    assert_eq!(import["status"], "SUCCEEDED", "{import}");
    assert_eq!(import["credentialsAvailable"], true);
    id
}

async fn credentials_download_once_to_the_importing_user(app: e2e::TestApp) {
    let w = world(&app).await;
    let id = two_customers(&app, &w, "creds").await;
    // A colleague of the same provider, another provider, no token: as if missing.
    let added = app
        .gql("mutation { addUser(input: {email: \"sam@contoso.test\", name: \"Sam\", role: \"SALES_AGENT\"}) { temporaryPassword } }", json!({}), Some(&w.provider))
        .await;
    let temporary = added.data()["addUser"]["temporaryPassword"]
        .as_str()
        .unwrap()
        .to_owned();
    let sam = app.login("sam@contoso.test", &temporary).await;
    assert_eq!(get(&app, &id, Some(&sam)).await.0, 404);
    let (_, other) = app
        .active_partner(
            "INDIRECT_PROVIDER",
            "Other Distribution",
            "admin@other.test",
        )
        .await;
    assert_eq!(get(&app, &id, Some(&other)).await.0, 404);
    assert_eq!(get(&app, &id, None).await.0, 401);
    assert_eq!(get(&app, "bm90LWFuLWlk", Some(&w.provider)).await.0, 404);

    let (status, body) = get(&app, &id, Some(&w.provider)).await;
    assert_eq!(status, 200, "{body}");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        vec![
            "company_name",
            "domain",
            "admin_user_name",
            "temporary_password"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 2);
    assert_eq!(&records[0][0], "Alpine \"Ski\", Inc");
    assert_eq!(&records[0][2], "admin@alpine.example");
    // The password signs the customer's admin in.
    let signed_in = app.try_login("admin@alpine.example", &records[0][3]).await;
    assert!(
        signed_in.data()["login"]["token"].is_string(),
        "{:?}",
        signed_in.body
    );

    // Once: then gone, and the import says so.
    assert_eq!(get(&app, &id, Some(&w.provider)).await.0, 410);
    let import = read(&app, &w.provider, &id).await;
    assert_eq!(import["credentialsAvailable"], false);
    // Nothing of them is left in the database.
    use sea_orm::{EntityTrait, PaginatorTrait};
    let left = entity::customer_import_credential::Entity::find()
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(left, 0);
}
e2e!(credentials_download_once_to_the_importing_user);

async fn imports_are_their_providers_only(app: e2e::TestApp) {
    let w = world(&app).await;
    let o = offers(&app, &w).await;
    let bytes = file(&[line("Alpine Ski", "alpine.example", "", &o.basic, 5, "")]);
    let id = queued(
        &app,
        &w.provider,
        bytes,
        json!({ "idempotencyKey": "mine" }),
    )
    .await;
    finished(&app, &w.provider, &id).await;
    let (_, other) = app
        .active_partner(
            "INDIRECT_PROVIDER",
            "Other Distribution",
            "admin@other.test",
        )
        .await;
    // Another provider: the id is missing, through `node` and `nodes`, and its list is empty.
    let res = app.gql(READ, json!({ "id": id }), Some(&other)).await;
    assert!(res.body["data"]["node"].is_null(), "{:?}", res.body);
    assert_eq!(res.error_code(), "NOT_FOUND");
    let res = app
        .gql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [id] }),
            Some(&other),
        )
        .await;
    assert!(!res.body.to_string().contains("alpine"), "{:?}", res.body);
    let list = app
        .gql(
            "{ customerImports(first: 10) { totalCount } }",
            json!({}),
            Some(&other),
        )
        .await;
    assert_eq!(list.data()["customerImports"]["totalCount"], 0);
    // A reseller has no imports; it cannot import either.
    let res = app
        .gql(
            "{ customerImports(first: 10) { totalCount } }",
            json!({}),
            Some(&w.reseller),
        )
        .await;
    assert_eq!(res.error_code(), "FORBIDDEN");
    let res = app
        .gql(
            IMPORT,
            json!({ "input": { "idempotencyKey": "r", "rows": [] } }),
            Some(&w.reseller),
        )
        .await;
    assert_eq!(res.error_code(), "FORBIDDEN");
}
e2e!(imports_are_their_providers_only);

/// Passwords nobody downloads are erased once their hours have passed (the test clock).
async fn expiry(backend: Backend) {
    let clock = api::mfa::Clock::default();
    let shared = clock.clone();
    let app = e2e::spawn_app_with(backend, |s| {
        s.clock = shared;
        s.imports.credentials_ttl_hours = 1;
        s.imports.sweep_interval_seconds = 0;
    })
    .await;
    let w = world(&app).await;
    let id = two_customers(&app, &w, "ttl").await;
    clock.set(chrono::Utc::now() + chrono::Duration::hours(2));
    e2e::services::eventually(
        "the credentials erased",
        Duration::from_secs(30),
        || async {
            let import = read(&app, &w.provider, &id).await;
            (import["credentialsAvailable"] == false).then_some(())
        },
    )
    .await;
    assert_eq!(get(&app, &id, Some(&w.provider)).await.0, 410);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_expire_unread_sqlite() {
    expiry(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_expire_unread_postgres() {
    expiry(Backend::Postgres).await;
}
