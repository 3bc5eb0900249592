//! Cursors a client should not have: garbage, an offset cursor from before paging by key,
//! another list's cursor, a tampered one. Each is a top-level `BAD_USER_INPUT` naming the
//! argument, with the request otherwise answered (HTTP 200), never an internal error.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use e2e::{TestApp, e2e};
use serde_json::{Value, json};

const LOG: &str = "query($after: String, $before: String) {
  auditLog(first: 5, after: $after, before: $before) { edges { cursor node { action } } } }";

async fn foreign_and_malformed_cursors_are_coded_errors(app: TestApp) {
    let admin = app.platform_admin_token().await;
    app.enroll("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let log = app.gql(LOG, json!({}), Some(&admin)).await;
    let real = log.data()["auditLog"]["edges"][0]["cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let offers = app
        .gql(
            "{ offers(first: 1) { edges { cursor } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let offer_cursor = offers.data()["offers"]["edges"][0]["cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    // The real cursor with its key value swapped for text, and with a value too many.
    let decoded: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&real).unwrap()).unwrap();
    let mut tampered = decoded.as_array().unwrap().clone();
    *tampered.last_mut().unwrap() = json!("1 OR 1=1");
    let mut longer = decoded.as_array().unwrap().clone();
    longer.push(json!(7));
    let encode = |v: Vec<Value>| URL_SAFE_NO_PAD.encode(Value::Array(v).to_string());

    for (argument, cursor) in [
        ("after", "bogus".to_owned()),
        ("after", URL_SAFE_NO_PAD.encode("offset:5")),
        ("after", URL_SAFE_NO_PAD.encode("[]")),
        ("after", offer_cursor),
        ("after", encode(tampered)),
        ("before", encode(longer)),
        ("before", "%%%".to_owned()),
    ] {
        let res = app.gql(LOG, vars(argument, &cursor), Some(&admin)).await;
        assert_eq!(res.status, 200, "{cursor}: {}", res.body);
        assert_eq!(res.error_code(), "BAD_USER_INPUT", "{cursor}");
        assert!(
            res.error_message().contains(argument) && res.error_message().contains("cursor"),
            "{cursor}: {}",
            res.error_message()
        );
        assert!(res.body["data"].is_null(), "{}", res.body);
    }

    // The list's own cursor still works, in either argument.
    for argument in ["after", "before"] {
        let ok = app.gql(LOG, vars(argument, &real), Some(&admin)).await;
        assert!(ok.data()["auditLog"]["edges"].is_array());
    }
}
e2e!(foreign_and_malformed_cursors_are_coded_errors);

fn vars(argument: &str, cursor: &str) -> Value {
    let mut vars = serde_json::Map::new();
    vars.insert(argument.to_owned(), json!(cursor));
    Value::Object(vars)
}
