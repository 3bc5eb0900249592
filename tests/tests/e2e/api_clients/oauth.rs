//! `POST /oauth/token` (RFC 6749 §4.4): its answers, its error cases (§5.2), its throttle,
//! and a standard OAuth client library (simple-oauth2) using it unchanged.

use super::*;
use e2e::{Backend, e2e, spawn_app_with};

async fn post(
    app: &TestApp,
    build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
) -> reqwest::Response {
    build(app.client.post(format!("{}/oauth/token", app.address)))
        .send()
        .await
        .unwrap()
}

async fn the_token_endpoint_answers_as_the_rfc_says(app: TestApp) {
    let admin = provider(&app).await;
    let client = create(&app, &admin, &["CUSTOMERS_READ", "AUDIT_READ"]).await;
    let grant = [("grant_type", "client_credentials")];

    // HTTP Basic, all of the client's scopes.
    let res = post(&app, |r| {
        r.basic_auth(&client.client_id, Some(&client.secret))
            .form(&grant)
    })
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "customers:read audit:read");
    assert!(body["access_token"].as_str().unwrap().starts_with("pca_"));

    // Form fields and a narrowed scope.
    let res = post(&app, |r| {
        r.form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client.client_id.as_str()),
            ("client_secret", client.secret.as_str()),
            ("scope", "audit:read"),
        ])
    })
    .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["scope"], "audit:read", "{body}");
    let narrow = body["access_token"].as_str().unwrap();
    let res = app
        .gql(
            "{ customers(first: 1) { totalCount } }",
            json!({}),
            Some(narrow),
        )
        .await;
    assert_eq!(
        res.body["errors"][0]["extensions"]["requiredScope"],
        "customers:read"
    );

    // §5.2 errors.
    let cases: Vec<(u16, &str, reqwest::RequestBuilder)> = vec![
        (
            401,
            "invalid_client",
            app.client
                .post(format!("{}/oauth/token", app.address))
                .basic_auth(&client.client_id, Some("pcs_wrong"))
                .form(&grant),
        ),
        (
            401,
            "invalid_client",
            app.client
                .post(format!("{}/oauth/token", app.address))
                .basic_auth("pcc_unknown", Some(&client.secret))
                .form(&grant),
        ),
        (
            401,
            "invalid_client",
            app.client
                .post(format!("{}/oauth/token", app.address))
                .form(&grant),
        ),
        (
            400,
            "invalid_request",
            app.client
                .post(format!("{}/oauth/token", app.address))
                .basic_auth(&client.client_id, Some(&client.secret))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", client.client_id.as_str()),
                ]),
        ),
        (
            400,
            "unsupported_grant_type",
            app.client
                .post(format!("{}/oauth/token", app.address))
                .basic_auth(&client.client_id, Some(&client.secret))
                .form(&[("grant_type", "password")]),
        ),
        (
            400,
            "invalid_request",
            app.client
                .post(format!("{}/oauth/token", app.address))
                .basic_auth(&client.client_id, Some(&client.secret))
                .form(&[("scope", "audit:read")]),
        ),
        (
            400,
            "invalid_scope",
            app.client
                .post(format!("{}/oauth/token", app.address))
                .basic_auth(&client.client_id, Some(&client.secret))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("scope", "orders:write"),
                ]),
        ),
        (
            400,
            "invalid_scope",
            app.client
                .post(format!("{}/oauth/token", app.address))
                .basic_auth(&client.client_id, Some(&client.secret))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("scope", "everything"),
                ]),
        ),
        (
            400,
            "invalid_request",
            app.client
                .post(format!("{}/oauth/token", app.address))
                .basic_auth(&client.client_id, Some(&client.secret))
                .json(&json!({ "grant_type": "client_credentials" })),
        ),
        (
            400,
            "invalid_request",
            app.client
                .post(format!("{}/oauth/token", app.address))
                .basic_auth(&client.client_id, Some(&client.secret))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("grant_type=client_credentials&grant_type=client_credentials"),
        ),
    ];
    for (status, error, request) in cases {
        let res = request.send().await.unwrap();
        assert_eq!(res.status().as_u16(), status, "{error}");
        if status == 401 {
            assert!(
                res.headers()["www-authenticate"]
                    .to_str()
                    .unwrap()
                    .starts_with("Basic")
            );
        }
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], error, "{body}");
    }
}
e2e!(the_token_endpoint_answers_as_the_rfc_says);

/// Failed client authentications are throttled as sign-ins are: per client id (and per
/// address), then 429 `temporarily_unavailable` with `Retry-After`, even for the right secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_authentications_are_throttled_like_sign_ins() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.login_throttle.per_account = 3).await;
    let admin = provider(&app).await;
    let client = create(&app, &admin, &["AUDIT_READ"]).await;
    let grant = [("grant_type", "client_credentials")];
    for _ in 0..3 {
        let (status, _) = token_request(&app, &client.client_id, "pcs_wrong", &grant).await;
        assert_eq!(status, 401);
    }
    let res = post(&app, |r| {
        r.basic_auth(&client.client_id, Some(&client.secret))
            .form(&grant)
    })
    .await;
    assert_eq!(res.status(), 429);
    assert!(
        res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<i64>()
            .unwrap()
            > 0
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "temporarily_unavailable");
    // Another client is not held up.
    let other = create(&app, &admin, &["AUDIT_READ"]).await;
    access_token(&app, &other, None).await;
}

/// simple-oauth2 (a maintained, standard Node.js OAuth 2.0 client) gets a token and calls
/// the API with it, unchanged; a wrong secret is its 401 `invalid_client`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standard_oauth_client_library_works_unchanged() {
    let app = e2e::spawn_app(Backend::Sqlite).await;
    let admin = provider(&app).await;
    let client = create(&app, &admin, &["CUSTOMERS_READ", "AUDIT_READ"]).await;
    let out = e2e::node::run(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")),
        "oauth-client-credentials.mjs",
        &["simple-oauth2@5.1.0"],
        &[
            &app.address,
            &client.client_id,
            &client.secret,
            "audit:read",
        ],
    )
    .await;
    let out: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(out["token"]["token_type"], "Bearer", "{out}");
    assert_eq!(out["token"]["scope"], "audit:read");
    // The client's scopes; the token's are the narrowed `scope` above.
    assert_eq!(
        out["graphql"]["data"]["currentApiClient"]["scopes"],
        json!(["CUSTOMERS_READ", "AUDIT_READ"])
    );
    assert_eq!(
        out["wrong"],
        json!({ "status": 401, "error": "invalid_client" })
    );
}
