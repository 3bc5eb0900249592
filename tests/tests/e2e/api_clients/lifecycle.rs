//! A client's life: created by an organization ADMIN (secret shown once, only its hash
//! stored), acting for its organization with its scopes (the audit log names it), listed
//! with `lastUsedAt`, rotated, expired and revoked — each taking effect at once.

use super::*;
use chrono::{Duration, Utc};
use e2e::e2e;
use entity::api_client::{Column, Entity};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

const CUSTOMERS: &str = "{ customers(first: 5) { totalCount } }";

fn code(res: &e2e::Gql) -> String {
    res.body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn a_client_acts_for_its_organization(app: TestApp) {
    let admin = provider(&app).await;
    let client = create(
        &app,
        &admin,
        &["CUSTOMERS_READ", "PARTNERSHIPS_WRITE", "AUDIT_READ"],
    )
    .await;
    assert!(client.client_id.starts_with("pcc_") && client.secret.starts_with("pcs_"));
    // Only the hash is stored.
    let row = Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_ne!(row.secret_hash, client.secret);
    assert!(!row.secret_hash.contains(&client.secret));

    let token = access_token(&app, &client, None).await;
    let res = app.gql(CUSTOMERS, json!({}), Some(&token)).await;
    assert_eq!(res.data()["customers"]["totalCount"], 0);
    let me = app
        .gql(
            "{ currentApiClient { id name scopes lastUsedAt } }",
            json!({}),
            Some(&token),
        )
        .await;
    let me = &me.data()["currentApiClient"];
    assert_eq!(me["id"], client.id.as_str());
    assert_eq!(
        me["scopes"],
        json!(["CUSTOMERS_READ", "PARTNERSHIPS_WRITE", "AUDIT_READ"])
    );
    assert!(me["lastUsedAt"].is_string(), "{me}");
    // Who created it is for people to read.
    let people = app
        .gql(
            "{ currentApiClient { createdBy { email } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(
        people.body["errors"][0]["extensions"]["reason"],
        "NOT_A_USER"
    );
    let listed = app
        .gql(
            "{ apiClients(first: 1) { edges { node { createdBy { email } } } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        listed.data()["apiClients"]["edges"][0]["node"]["createdBy"]["email"],
        "admin@contoso.test"
    );
    // A person's session answers null.
    let res = app
        .gql("{ currentApiClient { id } }", json!({}), Some(&admin))
        .await;
    assert!(res.data()["currentApiClient"].is_null());
    let res = app
        .gql("{ viewer { user { id } } }", json!({}), Some(&token))
        .await;
    assert_eq!(res.body["errors"][0]["extensions"]["reason"], "NOT_A_USER");

    // Its change is recorded with the client as the actor.
    crate::partnerships::request(&app, &token, "admin@fabrikam.test").await;
    let log = app
        .gql(
            "{ auditLog(first: 1, filter: {action: \"partnership_invitation.requested\"}) {
               edges { node { action actorUserId actorPartnerId actorApiClient { id name } } } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let entry = &log.data()["auditLog"]["edges"][0]["node"];
    assert_eq!(entry["action"], "partnership_invitation.requested");
    assert!(entry["actorUserId"].is_null(), "{entry}");
    assert!(entry["actorPartnerId"].is_string());
    assert_eq!(entry["actorApiClient"]["id"], client.id.as_str());
    assert_eq!(entry["actorApiClient"]["name"], "ERP sync");

    // The list, for the organization's ADMINs only; another organization sees nothing.
    let list = app
        .gql(
            "{ apiClients(first: 10) { totalCount edges { node { clientId lastUsedAt } } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(list.data()["apiClients"]["totalCount"], 1);
    assert_eq!(
        list.data()["apiClients"]["edges"][0]["node"]["clientId"],
        client.client_id.as_str()
    );
    let (_, other) = app
        .active_partner(
            "INDIRECT_RESELLER",
            "Fabrikam Solutions",
            "admin@fabrikam.test",
        )
        .await;
    let foreign = app
        .gql(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": client.id }),
            Some(&other),
        )
        .await;
    assert_eq!(code(&foreign), "NOT_FOUND");
    let revoke = app
        .gql(
            "mutation($id: ID!) { revokeApiClient(input: {apiClientId: $id}) { client { id } userErrors { code } } }",
            json!({ "id": client.id }),
            Some(&other),
        )
        .await;
    assert_eq!(code(&revoke), "NOT_FOUND");

    // `logout` ends the client's token only.
    let res = app
        .gql("mutation { logout { success } }", json!({}), Some(&token))
        .await;
    assert_eq!(res.data()["logout"]["success"], true);
    assert_eq!(
        code(&app.gql(CUSTOMERS, json!({}), Some(&token)).await),
        "UNAUTHENTICATED"
    );
    let again = access_token(&app, &client, None).await;
    assert_eq!(
        app.gql(CUSTOMERS, json!({}), Some(&again)).await.status,
        200
    );
}
e2e!(a_client_acts_for_its_organization);

async fn bad_input_and_who_may_create(app: TestApp) {
    let admin = provider(&app).await;
    let cases = [
        (
            json!({ "name": " ", "scopes": ["AUDIT_READ"] }),
            "INVALID",
            "name",
        ),
        (json!({ "name": "x", "scopes": [] }), "INVALID", "scopes"),
        (
            json!({ "name": "x", "scopes": ["AUDIT_READ"], "expiresAt": (Utc::now() + Duration::seconds(30)).to_rfc3339() }),
            "OUT_OF_RANGE",
            "expiresAt",
        ),
    ];
    for (input, expected, field) in cases {
        let res = app
            .gql(CREATE, json!({ "input": input }), Some(&admin))
            .await;
        let payload = &res.data()["createApiClient"];
        assert_eq!(payload["userErrors"][0]["code"], expected, "{payload}");
        assert_eq!(payload["userErrors"][0]["field"], json!(["input", field]));
        assert!(payload["clientSecret"].is_null());
    }
    let res = app
        .gql(
            CREATE,
            json!({ "input": { "name": "x", "scopes": ["AUDIT_READ"] } }),
            None,
        )
        .await;
    assert_eq!(code(&res), "UNAUTHENTICATED");
}
e2e!(bad_input_and_who_may_create);

async fn expiry_rotation_and_revocation_take_effect_at_once(app: TestApp) {
    let admin = provider(&app).await;
    let expires = Utc::now() + Duration::minutes(10);
    let client = create_with(
        &app,
        &admin,
        json!({ "name": "Billing", "scopes": ["CUSTOMERS_READ"], "expiresAt": expires.to_rfc3339() }),
    )
    .await;
    // A token never outlives its client.
    let (status, body) = token_request(
        &app,
        &client.client_id,
        &client.secret,
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(body["expires_in"].as_i64().unwrap() <= 600, "{body}");
    let token = body["access_token"].as_str().unwrap().to_owned();

    // Rotation: the old secret is refused at once, the token issued before lives on.
    let rotated = app
        .gql(
            "mutation($id: ID!) { rotateApiClientSecret(input: {apiClientId: $id}) { clientId clientSecret userErrors { code } } }",
            json!({ "id": client.id }),
            Some(&admin),
        )
        .await;
    let rotated = &rotated.data()["rotateApiClientSecret"];
    let new_secret = rotated["clientSecret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, client.secret);
    let (status, body) = token_request(
        &app,
        &client.client_id,
        &client.secret,
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    assert_eq!(
        app.gql(CUSTOMERS, json!({}), Some(&token)).await.status,
        200
    );
    let fresh = Created {
        secret: new_secret,
        ..client
    };
    let second = access_token(&app, &fresh, None).await;

    // The client's expiry passes (time moved in the database, as the expiry tests do).
    Entity::update_many()
        .col_expr(
            Column::ExpiresAt,
            Expr::value(Some(Utc::now() - Duration::seconds(1))),
        )
        .filter(Column::ClientId.eq(&fresh.client_id))
        .exec(&app.db)
        .await
        .unwrap();
    for t in [&token, &second] {
        assert_eq!(
            code(&app.gql(CUSTOMERS, json!({}), Some(t)).await),
            "UNAUTHENTICATED"
        );
    }
    let (status, _) = token_request(
        &app,
        &fresh.client_id,
        &fresh.secret,
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(status, 401);

    // Revocation: a live client's tokens are refused at once, and it cannot be revoked twice.
    let live = create(&app, &admin, &["CUSTOMERS_READ"]).await;
    let token = access_token(&app, &live, None).await;
    let revoke = "mutation($id: ID!) { revokeApiClient(input: {apiClientId: $id}) { client { revokedAt } userErrors { code } } }";
    let res = app
        .gql(revoke, json!({ "id": live.id }), Some(&admin))
        .await;
    assert!(res.data()["revokeApiClient"]["client"]["revokedAt"].is_string());
    assert_eq!(
        code(&app.gql(CUSTOMERS, json!({}), Some(&token)).await),
        "UNAUTHENTICATED"
    );
    let (status, body) = token_request(
        &app,
        &live.client_id,
        &live.secret,
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let res = app
        .gql(revoke, json!({ "id": live.id }), Some(&admin))
        .await;
    assert_eq!(
        res.data()["revokeApiClient"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
    let log = app
        .gql(
            "{ auditLog(first: 10) { edges { node { action } } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let actions: Vec<&str> = log.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    for action in [
        "api_client.created",
        "api_client.secret_rotated",
        "api_client.revoked",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}
e2e!(expiry_rotation_and_revocation_take_effect_at_once);
