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
    assert_eq!(import_count(&app, &w.provider).await, 1);
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

    // A body of many small file parts (each would be a temporary file held open) is
    // refused as unreadable, past 18 parts, and nothing is stored. The answer reaches a
    // client still writing the rest (the server reads it first: an answer sent over
    // unread bytes ends in a connection reset, which the client sees instead).
    let mut form = reqwest::multipart::Form::new()
        .text(
            "operations",
            json!({ "query": IMPORT, "variables": { "input": {
                "file": null, "idempotencyKey": "parts" } } })
            .to_string(),
        )
        .text("map", json!({ "0": ["variables.input.file"] }).to_string());
    for i in 0..2_000 {
        form = form.part(
            i.to_string(),
            reqwest::multipart::Part::bytes(file(&[])).file_name("c.csv"),
        );
    }
    let (status, body) = send_form(&app, &w.provider, form).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );

    assert_eq!(import_count(&app, &w.provider).await, 0);
}

/// Posts a multipart form as `token`; the status and the JSON answer.
async fn send_form(
    app: &TestApp,
    token: &str,
    form: reqwest::multipart::Form,
) -> (reqwest::StatusCode, Value) {
    let resp = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("apollo-require-preflight", "true")
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
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

/// A book of 10,000 rows, each with its reseller and a subscription, is several megabytes:
/// more than any JSON request may carry (`GRAPHQL__MAX_BODY_BYTES`, 2 MiB), within what an
/// upload may (`GRAPHQL__MAX_UPLOAD_BYTES`). The import is stored whole; a JSON body of the
/// same size is still refused, and so is an upload over its own bound. No worker runs here:
/// the test is of the upload, not of creating 10,000 customers.
async fn full_book(backend: Backend) {
    let app = e2e::spawn_app_with(backend, |s| s.embedded_worker = Some(false)).await;
    let w = world(&app).await;
    let o = offers(&app, &w).await;
    let lines: Vec<String> = (0..10_000)
        .map(|i| {
            let company = format!("Contoso Holdings International {i:05} Regional Operations");
            let domain = format!("regional-operations-{i:05}.contoso-holdings.example");
            line(
                &company,
                &domain,
                &w.reseller_id,
                &o.basic,
                5,
                &w.reseller_id,
            )
        })
        .collect();
    let book = file(&lines);
    assert!(book.len() > 2 * 1024 * 1024, "{} bytes", book.len());
    let id = queued(
        &app,
        &w.provider,
        book.clone(),
        json!({ "idempotencyKey": "book" }),
    )
    .await;
    let import = read(&app, &w.provider, &id).await;
    assert_eq!(import["status"], "QUEUED", "{import}");
    assert_eq!(import["totalRows"], 10_000, "{import}");
    assert_eq!(import["rows"]["totalCount"], 10_000, "{import}");

    // The same bytes as a JSON string: not an upload, so the 2 MiB bound holds.
    let json_body = json!({ "query": IMPORT, "variables": { "input": {
        "idempotencyKey": "json", "rows": [], "padding": String::from_utf8(book).unwrap() } } });
    // The server answers before reading the whole body and then closes the connection:
    // not one for the client's pool to reuse.
    let resp = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&w.provider)
        .header("connection", "close")
        .json(&json_body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );

    // An upload declaring more than the upload bound (9 MiB) is refused before a byte of
    // it is read (a client that went on writing would meet a closed socket, so the request
    // is written by hand: its head only).
    {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let host = app.address.trim_start_matches("http://");
        let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
        let head = format!(
            "POST /graphql HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {}\r\n\
             Content-Type: multipart/form-data; boundary=x\r\n\
             Apollo-Require-Preflight: true\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n",
            w.provider,
            9 * 1024 * 1024 + 1
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(answer.contains("\"BAD_USER_INPUT\""), "{answer}");
    }
    assert_eq!(import_count(&app, &w.provider).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_book_of_ten_thousand_rows_uploads_sqlite() {
    full_book(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_book_of_ten_thousand_rows_uploads_postgres() {
    full_book(Backend::Postgres).await;
}
