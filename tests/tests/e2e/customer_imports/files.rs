//! Malformed files are refused at upload with `INVALID_CSV` on `["input", "file"]`, the
//! message naming line and column; a BOM is fine; the bounds (rows, bytes, value length)
//! are checked before anything is parsed.

use super::*;
use crate::customers::world;
use e2e::{Backend, e2e};

async fn refusal(app: &TestApp, token: &str, bytes: Vec<u8>, key: &str) -> Value {
    let payload = upload(app, token, bytes, json!({ "idempotencyKey": key })).await;
    assert!(payload["import"].is_null(), "{payload}");
    payload["userErrors"][0].clone()
}

async fn malformed_files_are_refused_naming_line_and_column(app: e2e::TestApp) {
    let w = world(&app).await;
    let o = offers(&app, &w).await;
    let good = line("Alpine Ski", "alpine.example", "", &o.basic, 5, "");

    let bad_quote = file(&[
        good.clone(),
        line("Blue \"Yonder\"", "blue.example", "", &o.basic, 1, ""),
    ]);
    let e = refusal(&app, &w.provider, bad_quote, "q").await;
    assert_eq!(e["code"], "INVALID_CSV", "{e}");
    assert_eq!(e["field"], json!(["input", "file"]));
    let message = e["message"].as_str().unwrap();
    assert!(
        message.contains("Line 3") && message.contains("column 1"),
        "{message}"
    );

    let unclosed = file(&[good.clone(), "\"Blue Yonder,blue.example".to_owned()]);
    let e = refusal(&app, &w.provider, unclosed, "u").await;
    assert_eq!(e["code"], "INVALID_CSV", "{e}");
    assert!(e["message"].as_str().unwrap().contains("Line 3"), "{e}");

    let short = file(&[good.clone(), "Blue Yonder,blue.example,US".to_owned()]);
    let e = refusal(&app, &w.provider, short, "c").await;
    assert_eq!(e["code"], "INVALID_CSV", "{e}");
    let message = e["message"].as_str().unwrap();
    assert!(
        message.contains("Line 3") && message.contains("column 4"),
        "{message}"
    );

    let mut latin1 = file(std::slice::from_ref(&good));
    latin1.extend_from_slice(b"Caf\xE9 Ole,cafe.example\n");
    let e = refusal(&app, &w.provider, latin1, "l").await;
    assert_eq!(e["code"], "INVALID_CSV", "{e}");
    assert!(e["message"].as_str().unwrap().contains("Line 3"), "{e}");

    let header_only = format!("{HEADER}\n").into_bytes();
    let e = refusal(&app, &w.provider, header_only, "h").await;
    assert_eq!(e["code"], "INVALID_CSV", "{e}");
    assert!(e["message"].as_str().unwrap().contains("Line 2"), "{e}");

    let unknown = format!("{},extra\n{good},x\n", HEADER).into_bytes();
    let e = refusal(&app, &w.provider, unknown, "x").await;
    assert_eq!(e["code"], "INVALID_CSV", "{e}");
    assert!(e["message"].as_str().unwrap().contains("column 16"), "{e}");

    // A BOM (Excel's "CSV UTF-8") is fine, and so are CRLF line ends.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(
        String::from_utf8(file(&[good]))
            .unwrap()
            .replace('\n', "\r\n")
            .into_bytes(),
    );
    let id = queued(&app, &w.provider, bom, json!({ "idempotencyKey": "bom" })).await;
    let import = finished(&app, &w.provider, &id).await;
    assert_eq!(import["status"], "SUCCEEDED", "{import}");
    assert_eq!(domains(&app, &w.provider).await, vec!["alpine.example"]);
    // Nothing was stored for the refused files.
    let list = app
        .gql(
            "{ customerImports(first: 10) { totalCount } }",
            json!({}),
            Some(&w.provider),
        )
        .await;
    assert_eq!(list.data()["customerImports"]["totalCount"], 1);
}
e2e!(malformed_files_are_refused_naming_line_and_column);

async fn bounds_are_checked_before_parsing(app: e2e::TestApp) {
    let w = world(&app).await;
    let o = offers(&app, &w).await;
    // 10,001 data rows: one too many (the default bound is 10,000).
    let lines: Vec<String> = (0..10_001)
        .map(|i| line("C", &format!("c{i}.example"), "", &o.basic, 1, ""))
        .collect();
    let e = refusal(&app, &w.provider, file(&lines), "rows").await;
    assert_eq!(e["code"], "OUT_OF_RANGE", "{e}");
    assert_eq!(e["field"], json!(["input", "file"]));
    assert!(
        e["message"].as_str().unwrap().contains("10,000")
            || e["message"].as_str().unwrap().contains("10000"),
        "{e}"
    );
    // A value longer than 500 characters.
    let long = file(&[line(&"x".repeat(501), "long.example", "", &o.basic, 1, "")]);
    let e = refusal(&app, &w.provider, long, "long").await;
    assert_eq!(e["code"], "OUT_OF_RANGE", "{e}");
    assert!(e["message"].as_str().unwrap().contains("Line 2"), "{e}");
}
e2e!(bounds_are_checked_before_parsing);

/// A file over `IMPORTS__MAX_FILE_BYTES` is refused unread.
async fn too_large(backend: Backend) {
    let app = e2e::spawn_app_with(backend, |s| s.imports.max_file_bytes = 2_000).await;
    let w = world(&app).await;
    let o = offers(&app, &w).await;
    let lines: Vec<String> = (0..30)
        .map(|i| line("C", &format!("c{i}.example"), "", &o.basic, 1, ""))
        .collect();
    let e = refusal(&app, &w.provider, file(&lines), "big").await;
    assert_eq!(e["code"], "OUT_OF_RANGE", "{e}");
    assert_eq!(e["field"], json!(["input", "file"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_over_the_byte_bound_is_refused_sqlite() {
    too_large(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_over_the_byte_bound_is_refused_postgres() {
    too_large(Backend::Postgres).await;
}
