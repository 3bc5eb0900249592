//! Read-then-write transactions under concurrent writers (issue 11, item 10): on SQLite a
//! transaction that reads and then writes must not fail with a busy snapshot when another
//! write commits in between.

use e2e::{Gql, TestApp};
use futures::FutureExt;
use futures::future::BoxFuture;
use serde_json::{Value, json};

const APPROVE: &str = "mutation($id: ID!) { approveEnrollment(input: {partnerId: $id}) { partner { id } userErrors { code } } }";
const SUSPEND: &str = "mutation($id: ID!) { suspendPartner(input: {partnerId: $id}) { partner { id } userErrors { code } } }";
const ADD: &str = "mutation($e: String!) { addUser(input: {email: $e, name: \"Agent\", role: SALES_AGENT}) { user { id } userErrors { code } } }";
const UPDATE: &str = "mutation($id: ID!, $r: UserRole!) { updateUser(input: {userId: $id, role: $r}) { user { id } userErrors { code } } }";
const SUBMIT: &str = "mutation($n: String!) { submitProfileChangeRequest(input: {companyName: $n, locations: [{country: \"US\", targetUrl: \"https://example.com/partners\"}]}) {
  request { id } userErrors { code } } }";
const RESOLVE: &str = "mutation($id: ID!, $d: ProfileRequestDecision!) { resolveProfileChangeRequest(input: {requestId: $id, decision: $d}) {
  request { id } userErrors { code } } }";

/// Enrolls a partner without signing in (a PENDING enrollment): its global id.
async fn pending(app: &TestApp, email: &str) -> String {
    let res = app
        .gql(
            "mutation($input: EnrollPartnerInput!) { enrollPartner(input: $input) { partner { id } userErrors { code } } }",
            json!({ "input": {
                "kind": "INDIRECT_RESELLER", "companyName": email, "country": "US",
                "adminName": "Admin", "adminEmail": email, "password": "password-123"
            }}),
            None,
        )
        .await;
    res.data()["enrollPartner"]["partner"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Before the fix these mutations began a deferred transaction, read, then wrote. On SQLite
/// the read starts a snapshot; when another write commits before the first write, SQLite
/// cannot upgrade the stale snapshot and answers SQLITE_BUSY (a busy *snapshot*, which the
/// busy timeout does not wait out), so some of 24 concurrent mutations answered INTERNAL.
/// Now they begin as write transactions (`BEGIN IMMEDIATE`) and queue. Three rounds of 24
/// at once (approve/suspend partners, add/update members of one organization, submit and
/// review directory profile requests), each of which must succeed. On PostgreSQL, which has
/// no busy snapshots, the same requests passed before the fix too: there it only checks that
/// the write transactions keep answering under load.
async fn concurrent_read_then_write_mutations_all_answer(app: TestApp) {
    let admin = app.platform_admin_token().await;
    // Six PENDING and six ACTIVE partners, and four providers who ask for profile changes.
    let mut to_approve = Vec::new();
    let mut to_suspend = Vec::new();
    for i in 0..6 {
        to_approve.push(pending(&app, &format!("admin@pending-{i}.test")).await);
        let active = pending(&app, &format!("admin@active-{i}.test")).await;
        app.gql(APPROVE, json!({ "id": active }), Some(&admin))
            .await;
        to_suspend.push(active);
    }
    let mut providers = Vec::new();
    for i in 0..4 {
        let (id, token) = app
            .enroll(
                "INDIRECT_PROVIDER",
                &format!("Provider {i}"),
                &format!("admin@provider-{i}.test"),
            )
            .await;
        app.gql(APPROVE, json!({ "id": id }), Some(&admin)).await;
        providers.push(token);
    }
    // One organization whose ADMIN adds and updates members.
    let (_, org) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let mut members = Vec::new();
    for i in 0..4 {
        let res = app
            .gql(
                ADD,
                json!({ "e": format!("member-{i}@contoso.test") }),
                Some(&org),
            )
            .await;
        members.push(
            res.data()["addUser"]["user"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }

    let mut requests: Vec<String> = Vec::new();
    for round in 0..3 {
        let mut calls: Vec<BoxFuture<'_, (&str, Gql)>> = Vec::new();
        let call = |query: &'static str, field: &'static str, vars: Value, token: &str| {
            let token = token.to_owned();
            let app = &app;
            async move { (field, app.gql(query, vars, Some(&token)).await) }.boxed()
        };
        // Partners swap places every round: approved <-> suspended.
        for (id, approve) in to_approve
            .iter()
            .map(|id| (id, true))
            .chain(to_suspend.iter().map(|id| (id, false)))
        {
            let (query, field) = if approve == (round % 2 == 0) {
                (APPROVE, "approveEnrollment")
            } else {
                (SUSPEND, "suspendPartner")
            };
            calls.push(call(query, field, json!({ "id": id }), &admin));
        }
        for i in 0..4 {
            calls.push(call(
                ADD,
                "addUser",
                json!({ "e": format!("new-{round}-{i}@contoso.test") }),
                &org,
            ));
        }
        let role = ["HELPDESK_AGENT", "SALES_AGENT"][round % 2];
        for id in &members {
            calls.push(call(
                UPDATE,
                "updateUser",
                json!({ "id": id, "r": role }),
                &org,
            ));
        }
        // Profile requests: submitted, then taken into review, then completed.
        for (i, provider) in providers.iter().enumerate() {
            match round {
                0 => calls.push(call(
                    SUBMIT,
                    "submitProfileChangeRequest",
                    json!({ "n": format!("Provider {i} Cloud") }),
                    provider,
                )),
                1 => calls.push(call(
                    RESOLVE,
                    "resolveProfileChangeRequest",
                    json!({ "id": requests[i], "d": "START_REVIEW" }),
                    &admin,
                )),
                _ => calls.push(call(
                    RESOLVE,
                    "resolveProfileChangeRequest",
                    json!({ "id": requests[i], "d": "COMPLETE" }),
                    &admin,
                )),
            }
        }
        assert_eq!(calls.len(), 24);
        let answers = futures::future::join_all(calls).await;
        for (field, res) in &answers {
            let errors = &res.body["errors"];
            assert!(
                errors.as_array().is_none_or(|e| e.is_empty()),
                "round {round}: {field} failed: {errors}"
            );
            assert_eq!(
                res.data()[field]["userErrors"],
                json!([]),
                "round {round}: {field}: {}",
                res.body
            );
            if round == 0 && *field == "submitProfileChangeRequest" {
                requests.push(
                    res.data()[field]["request"]["id"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                );
            }
        }
    }
}
races!(concurrent_read_then_write_mutations_all_answer);
