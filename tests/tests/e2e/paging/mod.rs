//! Paging by key (issue 15): a client walking a list with `first`/`after` or
//! `last`/`before` sees every item exactly once even while rows arrive between its fetches,
//! `pageInfo` says where it stands, and a cursor that is not one of the list's own is a
//! coded error, never a 500.

mod cursors;
mod orders;

use e2e::{TestApp, e2e};
use serde_json::{Value, json};

/// One page as a client reads it.
#[derive(Debug)]
pub struct Seen {
    /// The `key` alias of each node (an id, or another unique field).
    pub keys: Vec<String>,
    pub cursors: Vec<String>,
    pub has_next: bool,
    pub has_previous: bool,
    pub total: u64,
}

/// Fetches one page of `field` (with `args`, e.g. `filter: {...}`), selecting `key: …` from
/// each node, and checks that `startCursor`/`endCursor` are the first and last edges'.
pub async fn page(
    app: &TestApp,
    token: Option<&str>,
    field: &str,
    node: &str,
    args: &str,
    vars: Value,
) -> Seen {
    let query = format!(
        "query($first: Int, $last: Int, $after: String, $before: String) {{
           {field}(first: $first, last: $last, after: $after, before: $before{args}) {{
             totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
             edges {{ cursor node {{ {node} }} }} }} }}"
    );
    let res = app.gql(&query, vars, token).await;
    let conn = &res.data()[field];
    let edges = conn["edges"].as_array().unwrap();
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let keys: Vec<String> = edges
        .iter()
        .map(|e| text(&e["node"]["key"]).unwrap())
        .collect();
    let cursors: Vec<String> = edges.iter().map(|e| text(&e["cursor"]).unwrap()).collect();
    let info = &conn["pageInfo"];
    assert_eq!(text(&info["startCursor"]), cursors.first().cloned());
    assert_eq!(text(&info["endCursor"]), cursors.last().cloned());
    Seen {
        keys,
        cursors,
        has_next: info["hasNextPage"].as_bool().unwrap(),
        has_previous: info["hasPreviousPage"].as_bool().unwrap(),
        total: conn["totalCount"].as_u64().unwrap(),
    }
}

/// Walks the whole list forwards `size` at a time, or backwards with `last`/`before`;
/// returns the keys in list order.
pub async fn walk(
    app: &TestApp,
    token: Option<&str>,
    field: &str,
    node: &str,
    args: &str,
    size: i64,
    forwards: bool,
) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let vars = if forwards {
            json!({ "first": size, "after": cursor })
        } else {
            json!({ "last": size, "before": cursor })
        };
        let p = page(app, token, field, node, args, vars).await;
        let (more, behind) = if forwards {
            (p.has_next, p.has_previous)
        } else {
            (p.has_previous, p.has_next)
        };
        assert_eq!(behind, cursor.is_some(), "{field}: items behind the page");
        if forwards {
            all.extend(p.keys);
            cursor = p.cursors.last().cloned();
        } else {
            all.splice(0..0, p.keys);
            cursor = p.cursors.first().cloned();
        }
        if !more {
            return all;
        }
    }
}

const INVITATIONS: &str = "partnershipInvitations";

async fn invite(app: &TestApp, provider: &str, n: usize) -> String {
    let res = app
        .gql(
            "mutation($e: String!) { requestPartnership(input: {resellerEmail: $e}) {
               invitation { id } userErrors { code } } }",
            json!({ "e": format!("reseller{n}@paging.test") }),
            Some(provider),
        )
        .await;
    let payload = &res.data()["requestPartnership"];
    assert_eq!(payload["userErrors"], json!([]));
    payload["invitation"]["id"].as_str().unwrap().to_owned()
}

async fn invitations(app: &TestApp, provider: &str, vars: Value) -> Seen {
    page(app, Some(provider), INVITATIONS, "key: id", "", vars).await
}

/// A provider's invitations, newest first, read three at a time while new ones arrive at
/// the head of the list: offsets would show the older ones again; keys do not.
async fn pages_neither_repeat_nor_skip_while_rows_arrive(app: TestApp) {
    let (_, provider) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let mut ids = Vec::new();
    for n in 0..7 {
        ids.push(invite(&app, &provider, n).await);
    }
    let newest_first: Vec<String> = ids.iter().rev().cloned().collect();

    // Forwards with first/after.
    let p1 = invitations(&app, &provider, json!({ "first": 3 })).await;
    assert_eq!(p1.keys, newest_first[0..3]);
    assert!(p1.has_next && !p1.has_previous);
    assert_eq!(p1.total, 7);
    let arrived = [
        invite(&app, &provider, 7).await,
        invite(&app, &provider, 8).await,
    ];
    let after = p1.cursors.last().cloned();
    let p2 = invitations(&app, &provider, json!({ "first": 3, "after": after })).await;
    assert_eq!(p2.keys, newest_first[3..6], "continues where page 1 ended");
    assert!(p2.has_next && p2.has_previous);
    assert_eq!(p2.total, 9);
    let after = p2.cursors.last().cloned();
    let p3 = invitations(&app, &provider, json!({ "first": 3, "after": after })).await;
    assert_eq!(p3.keys, newest_first[6..]);
    assert!(!p3.has_next && p3.has_previous);

    // Backwards with last/before, from the oldest end, while more arrive at the head.
    let b1 = invitations(&app, &provider, json!({ "last": 4 })).await;
    assert_eq!(b1.keys, newest_first[3..]);
    assert!(b1.has_previous && !b1.has_next);
    let newer = invite(&app, &provider, 9).await;
    let before = b1.cursors.first().cloned();
    let b2 = invitations(&app, &provider, json!({ "last": 4, "before": before })).await;
    let expected: Vec<String> = vec![arrived[0].clone()]
        .into_iter()
        .chain(newest_first[0..3].iter().cloned())
        .collect();
    assert_eq!(
        b2.keys, expected,
        "goes back from where the last page began"
    );
    assert!(b2.has_previous && b2.has_next);
    let before = b2.cursors.first().cloned();
    let b3 = invitations(&app, &provider, json!({ "last": 4, "before": before })).await;
    assert_eq!(b3.keys, [newer.clone(), arrived[1].clone()]);
    assert!(!b3.has_previous && b3.has_next);

    // Between two cursors: the items strictly between, and both neighbours known.
    let all = walk(&app, Some(&provider), INVITATIONS, "key: id", "", 4, true).await;
    assert_eq!(all.len(), 10);
    let full = invitations(&app, &provider, json!({ "first": 10 })).await;
    assert_eq!(full.keys, all);
    assert_eq!(
        walk(&app, Some(&provider), INVITATIONS, "key: id", "", 3, false).await,
        all
    );
    let (a, b) = (full.cursors[2].clone(), full.cursors[6].clone());
    for vars in [
        json!({ "first": 10, "after": a, "before": b }),
        json!({ "last": 10, "after": a, "before": b }),
    ] {
        let between = invitations(&app, &provider, vars).await;
        assert_eq!(between.keys, all[3..6]);
        assert!(between.has_previous && between.has_next);
    }
    let short = invitations(
        &app,
        &provider,
        json!({ "first": 2, "after": a, "before": b }),
    )
    .await;
    assert_eq!(short.keys, all[3..5]);
    assert!(short.has_next);

    // A filter pages by key too: the platform's audit log of these requests, two at a time.
    let admin = app.platform_admin_token().await;
    let requested = walk(
        &app,
        Some(&admin),
        "auditLog",
        "key: targetId",
        ", filter: {action: \"partnership_invitation.requested\"}",
        2,
        true,
    )
    .await;
    assert_eq!(requested, all, "one entry per invitation, newest first");
}
e2e!(pages_neither_repeat_nor_skip_while_rows_arrive);
