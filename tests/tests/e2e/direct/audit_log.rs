//! `auditLog`: every field of the shape, the summary in each language, paging both ways,
//! each kind of viewer (its own organization's entries, everything for the platform), and
//! what the plan leaves to the general path, each answered alike with and without plans.

use super::{Pair, pair};
use e2e::{TestApp, e2e};
use serde_json::json;

const EVERY_FIELD: &str = "query Log($n: Int) { auditLog(first: $n) { __typename totalCount
  pageInfo { __typename hasPreviousPage hasNextPage startCursor endCursor }
  edges { __typename cursor node { __typename occurredAt action targetType targetId summary
    actorUserId actorPartnerId requestId } }
  nodes { action summary s: summary } } }";

const FORWARD: &str = "query($n: Int!, $after: String, $before: String) {
  auditLog(first: $n, after: $after, before: $before) { totalCount
    pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
    edges { cursor node { action targetId } } } }";

const BACKWARD: &str = "query($n: Int = 2, $after: String, $before: String) {
  auditLog(last: $n, after: $after, before: $before) {
    pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
    edges { cursor node { ...E } } } }
  fragment E on AuditEntry { action when: occurredAt ... on AuditEntry { summary } }";

e2e!(audit_log_answers_byte_for_byte);
async fn audit_log_answers_byte_for_byte(app: TestApp) {
    let p = pair(app).await;
    let w = &p.world;
    let provider = Some(w.provider.as_str());
    let log = p
        .same(EVERY_FIELD, json!({ "n": 30 }), provider, true)
        .await;
    let total = log["data"]["auditLog"]["totalCount"].as_i64().unwrap();
    assert!(total >= 3, "the provider's own entries: {log}");
    let edges = log["data"]["auditLog"]["edges"].as_array().unwrap();
    assert!(edges.iter().any(|e| e["node"]["actorUserId"].is_string()));
    // The summary in the reader's language: a stored message reads differently in zh-TW.
    let body = json!({ "query": EVERY_FIELD, "variables": { "n": 30 } });
    let zh = p.same_in(Some("zh-TW"), body, provider, true).await;
    assert_ne!(
        zh["data"]["auditLog"]["nodes"], log["data"]["auditLog"]["nodes"],
        "summaries in Traditional Chinese"
    );
    // Everything for the platform; its own for the reseller, the other provider and an
    // unrelated reseller.
    let all = p
        .same(EVERY_FIELD, json!({ "n": 100 }), Some(&p.platform), true)
        .await;
    assert!(all["data"]["auditLog"]["totalCount"].as_i64().unwrap() > total);
    for token in [&w.reseller, &p.other_provider, &w.outsider_reseller] {
        p.same(EVERY_FIELD, json!({ "n": 30 }), Some(token), true)
            .await;
    }
    pages_both_ways(&p).await;
    left_to_the_general_path(&p).await;
}

/// Forwards to the end, back to the start, windows, and another provider's
/// cursor in the hands of the first.
async fn pages_both_ways(p: &Pair) {
    let provider = Some(p.world.provider.as_str());
    let cursors = p
        .walk(("auditLog", FORWARD, BACKWARD), provider, &[(0, 3), (1, 2)])
        .await;
    assert!(cursors.len() >= 4, "{cursors:?}");
    let other = p
        .same(FORWARD, json!({ "n": 1 }), Some(&p.other_provider), true)
        .await;
    let cursor = &other["data"]["auditLog"]["edges"][0]["cursor"];
    p.same(FORWARD, json!({ "n": 5, "after": cursor }), provider, true)
        .await;
}

/// Errors and shapes the plan does not cover: the general path answers, as before.
async fn left_to_the_general_path(p: &Pair) {
    let provider = Some(p.world.provider.as_str());
    for (variables, token) in [
        (json!({ "n": 101 }), provider),
        (json!({ "n": 2 }), None),
        (json!({ "n": 2 }), Some(p.customer.as_str())),
        (json!({ "n": 2 }), Some(p.customer_temporary.as_str())),
    ] {
        let answer = p.same(EVERY_FIELD, variables, token, false).await;
        assert!(answer["errors"].is_array(), "{answer}");
    }
    for query in [
        "{ auditLog(first: 2, filter: {action: \"customer.created\"}) { totalCount } }",
        "{ auditLog(first: 2) { nodes { actorApiClient { id } } } }",
        "{ auditLog(first: 2) { nodes { summary(x: 1) } } }",
    ] {
        p.same(query, json!({}), provider, false).await;
    }
}
