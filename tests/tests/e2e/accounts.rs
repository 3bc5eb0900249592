//! Sign-up, approval, sign-in, bad sign-ins, throttling, sessions and password changes.

use e2e::{TestApp, e2e};
use serde_json::json;

const VIEWER: &str = "{ viewer { user { email role mustChangePassword } partner { companyName kind enrollmentStatus partnerNetworkId } } }";

async fn sign_up_approval_and_login(app: TestApp) {
    let (partner_id, token) = app
        .enroll("INDIRECT_RESELLER", "Adatum Resellers", "Admin@Adatum.test")
        .await;
    // Email is normalised; the new org is PENDING and the ADMIN can already sign in.
    let viewer = app.gql(VIEWER, json!({}), Some(&token)).await;
    let v = &viewer.data()["viewer"];
    assert_eq!(v["user"]["email"], "admin@adatum.test");
    assert_eq!(v["user"]["role"], "ADMIN");
    assert_eq!(v["partner"]["enrollmentStatus"], "PENDING");
    assert_eq!(v["partner"]["kind"], "INDIRECT_RESELLER");
    assert_eq!(v["partner"]["partnerNetworkId"].as_str().unwrap().len(), 7);

    // Only a platform admin approves.
    let approve = "mutation($id: ID!) { approveEnrollment(input: {partnerId: $id}) {
        partner { enrollmentStatus approvedAt } userErrors { code } } }";
    let refused = app
        .gql(approve, json!({ "id": partner_id }), Some(&token))
        .await;
    assert_eq!(refused.error_code(), "FORBIDDEN");

    let admin = app.platform_admin_token().await;
    let queue = app
        .gql(
            "{ partners(first: 10, filter: {enrollment: PENDING}) { totalCount edges { node { id companyName } } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(queue.data()["partners"]["totalCount"], 1);
    assert_eq!(
        queue.data()["partners"]["edges"][0]["node"]["id"],
        partner_id
    );

    let approved = app
        .gql(approve, json!({ "id": partner_id }), Some(&admin))
        .await;
    let p = &approved.data()["approveEnrollment"];
    assert_eq!(p["partner"]["enrollmentStatus"], "ACTIVE");
    assert!(p["partner"]["approvedAt"].is_string());

    // Approving twice is a business-rule error, not a crash.
    let again = app
        .gql(approve, json!({ "id": partner_id }), Some(&admin))
        .await;
    assert_eq!(
        again.data()["approveEnrollment"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );

    let viewer = app.gql(VIEWER, json!({}), Some(&token)).await;
    assert_eq!(
        viewer.data()["viewer"]["partner"]["enrollmentStatus"],
        "ACTIVE"
    );

    // Suspension is the platform's too.
    let suspended = app
        .gql(
            "mutation($id: ID!) { suspendPartner(input: {partnerId: $id}) { partner { enrollmentStatus } } }",
            json!({ "id": partner_id }),
            Some(&admin),
        )
        .await;
    assert_eq!(
        suspended.data()["suspendPartner"]["partner"]["enrollmentStatus"],
        "SUSPENDED"
    );
}
e2e!(sign_up_approval_and_login);

async fn sign_up_refuses_bad_input(app: TestApp) {
    let enroll = "mutation($input: EnrollPartnerInput!) { enrollPartner(input: $input) {
        partner { id } userErrors { code field message } } }";
    let base = json!({
        "kind": "INDIRECT_PROVIDER", "companyName": "Tailspin", "country": "US",
        "adminName": "Ann", "adminEmail": "ann@tailspin.test", "password": "password-123"
    });
    let cases = [
        ("adminEmail", json!("not-an-email"), "INVALID"),
        ("country", json!("USA"), "INVALID"),
        ("companyName", json!("   "), "INVALID"),
        ("password", json!("short"), "WEAK_PASSWORD"),
    ];
    for (field, value, code) in cases {
        let mut input = base.clone();
        input[field] = value;
        let res = app.gql(enroll, json!({ "input": input }), None).await;
        let payload = &res.data()["enrollPartner"];
        assert_eq!(payload["partner"], json!(null), "{field}");
        assert_eq!(payload["userErrors"][0]["code"], code, "{field}");
        assert_eq!(payload["userErrors"][0]["field"], json!(["input", field]));
    }
    // A bad enum value is a top-level BAD_USER_INPUT.
    let mut input = base.clone();
    input["kind"] = json!("DISTRIBUTOR");
    let res = app.gql(enroll, json!({ "input": input }), None).await;
    assert_eq!(res.error_code(), "BAD_USER_INPUT");

    // Duplicate email: EMAIL_TAKEN, and no second partner row is left behind.
    let first = app.gql(enroll, json!({ "input": base }), None).await;
    assert_eq!(first.data()["enrollPartner"]["userErrors"], json!([]));
    let mut dup = base.clone();
    dup["adminEmail"] = json!("ANN@tailspin.test");
    dup["companyName"] = json!("Tailspin Two");
    let second = app.gql(enroll, json!({ "input": dup }), None).await;
    assert_eq!(
        second.data()["enrollPartner"]["userErrors"][0]["code"],
        "EMAIL_TAKEN"
    );
    let admin = app.platform_admin_token().await;
    let all = app
        .gql(
            "{ partners(first: 10) { totalCount } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        all.data()["partners"]["totalCount"],
        1,
        "the failed sign-up left nothing"
    );
}
e2e!(sign_up_refuses_bad_input);

async fn bad_logins_and_sessions(app: TestApp) {
    app.enroll("INDIRECT_PROVIDER", "Litware", "lee@litware.test")
        .await;

    let wrong = app.try_login("lee@litware.test", "wrong-password").await;
    assert_eq!(
        wrong.data()["login"]["userErrors"][0]["code"],
        "INVALID_CREDENTIALS"
    );
    assert_eq!(wrong.data()["login"]["token"], json!(null));
    // An unknown account looks exactly the same.
    let unknown = app.try_login("nobody@litware.test", "password-123").await;
    assert_eq!(unknown.data()["login"], wrong.data()["login"]);

    // No token, a garbage token: UNAUTHENTICATED.
    assert_eq!(
        app.gql(VIEWER, json!({}), None).await.error_code(),
        "UNAUTHENTICATED"
    );
    let garbage = app.gql(VIEWER, json!({}), Some("garbage")).await;
    assert_eq!(garbage.error_code(), "UNAUTHENTICATED");

    // Logout kills the token.
    let token = app.login("lee@litware.test", "password-123").await;
    let out = app
        .gql("mutation { logout { success } }", json!({}), Some(&token))
        .await;
    assert_eq!(out.data()["logout"]["success"], true);
    assert_eq!(
        app.gql(VIEWER, json!({}), Some(&token)).await.error_code(),
        "UNAUTHENTICATED"
    );
}
e2e!(bad_logins_and_sessions);

async fn expired_sessions_are_refused(app: TestApp) {
    use sea_orm::EntityTrait;
    use sea_orm::sea_query::Expr;
    app.enroll("INDIRECT_PROVIDER", "Wingtip", "wu@wingtip.test")
        .await;
    let token = app.login("wu@wingtip.test", "password-123").await;
    assert!(app.gql(VIEWER, json!({}), Some(&token)).await.body["data"]["viewer"].is_object());
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    entity::session::Entity::update_many()
        .col_expr(entity::session::Column::ExpiresAt, Expr::value(past))
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(
        app.gql(VIEWER, json!({}), Some(&token)).await.error_code(),
        "UNAUTHENTICATED"
    );
}
e2e!(expired_sessions_are_refused);

async fn login_is_throttled_per_account_and_per_address(app: TestApp) {
    app.enroll("INDIRECT_PROVIDER", "Proseware", "pia@proseware.test")
        .await;
    // Default: 5 failures per account in 15 minutes.
    for _ in 0..5 {
        let res = app.try_login("pia@proseware.test", "nope-nope-nope").await;
        assert_eq!(
            res.data()["login"]["userErrors"][0]["code"],
            "INVALID_CREDENTIALS"
        );
    }
    // Now even the right password is refused for this account...
    let blocked = app.try_login("pia@proseware.test", "password-123").await;
    assert_eq!(blocked.error_code(), "RATE_LIMITED");
    assert!(
        blocked.body["errors"][0]["extensions"]["retryAfterSeconds"]
            .as_i64()
            .unwrap()
            > 0
    );
    // ...while other accounts from the same address still get in (address limit is 30).
    app.enroll("INDIRECT_PROVIDER", "Other", "oz@other.test")
        .await;

    // Per address: spread failures over many accounts until the address is blocked.
    for i in 0..25 {
        app.try_login(&format!("ghost{i}@nowhere.test"), "whatever-123")
            .await;
    }
    let blocked = app.try_login("oz@other.test", "password-123").await;
    assert_eq!(blocked.error_code(), "RATE_LIMITED");
    // The server keeps serving other requests.
    let health = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}
e2e!(login_is_throttled_per_account_and_per_address);

async fn change_password_signs_out_other_sessions(app: TestApp) {
    app.enroll("INDIRECT_PROVIDER", "Relecloud", "rae@relecloud.test")
        .await;
    let laptop = app.login("rae@relecloud.test", "password-123").await;
    let phone = app.login("rae@relecloud.test", "password-123").await;
    let change = "mutation($c: String!, $n: String!) { changePassword(input: {currentPassword: $c, newPassword: $n}) {
        user { email } userErrors { code field } } }";

    let wrong = app
        .gql(
            change,
            json!({ "c": "not-it-at-all", "n": "a-new-password" }),
            Some(&laptop),
        )
        .await;
    assert_eq!(
        wrong.data()["changePassword"]["userErrors"][0]["code"],
        "INVALID_CREDENTIALS"
    );
    let weak = app
        .gql(
            change,
            json!({ "c": "password-123", "n": "short" }),
            Some(&laptop),
        )
        .await;
    assert_eq!(
        weak.data()["changePassword"]["userErrors"][0]["code"],
        "WEAK_PASSWORD"
    );

    let ok = app
        .gql(
            change,
            json!({ "c": "password-123", "n": "a-new-password" }),
            Some(&laptop),
        )
        .await;
    assert_eq!(ok.data()["changePassword"]["userErrors"], json!([]));
    assert!(app.gql(VIEWER, json!({}), Some(&laptop)).await.body["data"]["viewer"].is_object());
    assert_eq!(
        app.gql(VIEWER, json!({}), Some(&phone)).await.error_code(),
        "UNAUTHENTICATED"
    );
    let old = app.try_login("rae@relecloud.test", "password-123").await;
    assert_eq!(
        old.data()["login"]["userErrors"][0]["code"],
        "INVALID_CREDENTIALS"
    );
    app.login("rae@relecloud.test", "a-new-password").await;
}
e2e!(change_password_signs_out_other_sessions);

#[tokio::test]
async fn passwords_are_stored_as_argon2id_and_tokens_hashed() {
    use sea_orm::EntityTrait;
    let app = e2e::spawn_app(e2e::Backend::Sqlite).await;
    app.enroll("INDIRECT_PROVIDER", "Hashes", "h@hashes.test")
        .await;
    let token = app.login("h@hashes.test", "password-123").await;
    let users = entity::user::Entity::find().all(&app.db).await.unwrap();
    assert!(users[0].password_hash.starts_with("$argon2id$"));
    assert!(!users[0].password_hash.contains("password-123"));
    let sessions = entity::session::Entity::find().all(&app.db).await.unwrap();
    use sha2::Digest;
    let expected = hex::encode(sha2::Sha256::digest(token.as_bytes()));
    assert!(
        sessions.iter().any(|s| s.token_hash == expected),
        "SHA-256 of the token is stored"
    );
    assert!(
        sessions.iter().all(|s| s.token_hash != token),
        "never the token itself"
    );
}

/// The quick start's demo data: fixed logins, ACTIVE organizations, and seeding twice
/// changes nothing.
async fn demo_seed_is_idempotent(app: TestApp) {
    use sea_orm::{EntityTrait, PaginatorTrait};
    api::demo::seed(&app.db).await.unwrap();
    let users = entity::user::Entity::find().count(&app.db).await.unwrap();
    let partners = entity::partner::Entity::find()
        .count(&app.db)
        .await
        .unwrap();
    api::demo::seed(&app.db).await.unwrap();
    assert_eq!(
        entity::user::Entity::find().count(&app.db).await.unwrap(),
        users
    );
    assert_eq!(
        entity::partner::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        partners
    );
    // Issue 21: the demo shows a delegation with roles, by a fourth reseller (the
    // walkthroughs' resellers start without partnerships) on a customer with its admin.
    assert_eq!((users, partners), (7, 5));
    let delegations = entity::admin_relationship::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(delegations.len(), 1);
    assert_eq!(delegations[0].roles, "CUSTOMER_READER,ORDER_MANAGER");
    for email in [
        "platform@demo.test",
        "provider@demo.test",
        "reseller1@demo.test",
        "reseller2@demo.test",
        "reseller3@demo.test",
    ] {
        let token = app.login(email, api::demo::PASSWORD).await;
        let viewer = app.gql(VIEWER, json!({}), Some(&token)).await;
        let partner = &viewer.data()["viewer"]["partner"];
        assert!(
            partner.is_null() || partner["enrollmentStatus"] == "ACTIVE",
            "{email}"
        );
    }
    // The zh-TW walkthrough's reseller reads Traditional Chinese.
    let token = app.login("reseller3@demo.test", api::demo::PASSWORD).await;
    let viewer = app
        .gql(
            "{ viewer { user { preferredLanguage } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(
        viewer.data()["viewer"]["user"]["preferredLanguage"],
        "zh-TW"
    );
}
e2e!(demo_seed_is_idempotent);
