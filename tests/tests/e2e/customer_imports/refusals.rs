//! An upload refused before its body is read keeps its answer and its connection: the
//! server reads the rest of the body (within its bounds) before it answers. Answering over
//! unread bytes makes the server close the connection and the kernel reset it, so a client
//! still writing sees a broken pipe, and a kept-alive connection's next request fails.
//! Written by hand over one TCP connection, so the test fails whenever the server answers
//! early, not only when the reset's timing says so.

use e2e::{Backend, spawn_app};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const BOUNDARY: &str = "refusedUpload7";

/// A multipart upload whose operations are not JSON, before a 1 MiB file: more than the
/// server can drain in passing when it closes.
fn bad_upload() -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n\
         {{ not json\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n\
         {{}}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"0\"; \
         filename=\"c.csv\"\r\nContent-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend(std::iter::repeat_n(b'a', 1024 * 1024));
    body.extend(format!("\r\n--{BOUNDARY}--\r\n").into_bytes());
    body
}

/// Sends a POST /graphql with `headers` and `body`, reads its answer, then asks
/// `GET /healthz` on the same connection. The status lines of both.
async fn refused_then_reused(address: &str, headers: &str, body: &[u8]) -> (String, String) {
    let host = address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {host}\r\n{headers}\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.expect("the body is read");
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    reader.read_line(&mut status).await.unwrap();
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).await.unwrap();
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    let mut answer = vec![0; length];
    reader.read_exact(&mut answer).await.unwrap();
    let mut stream = reader.into_inner();
    stream
        .write_all(
            format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await
        .expect("the connection is kept");
    let mut next = Vec::new();
    let _ = stream.read_to_end(&mut next).await;
    let next = String::from_utf8_lossy(&next);
    (
        status.trim_end().to_owned(),
        next.lines().next().unwrap_or("").to_owned(),
    )
}

#[tokio::test]
async fn refused_uploads_keep_their_answer_and_their_connection() {
    let app = spawn_app(Backend::Sqlite).await;
    // The parser gives up at the first part.
    let (refused, next) = refused_then_reused(
        &app.address,
        "Apollo-Require-Preflight: true\r\n",
        &bad_upload(),
    )
    .await;
    assert_eq!(refused, "HTTP/1.1 400 Bad Request");
    assert_eq!(next, "HTTP/1.1 200 OK");
    // Without the preflight header the request is refused before any parsing.
    let (refused, next) = refused_then_reused(&app.address, "", &bad_upload()).await;
    assert_eq!(refused, "HTTP/1.1 415 Unsupported Media Type");
    assert_eq!(next, "HTTP/1.1 200 OK");
}
