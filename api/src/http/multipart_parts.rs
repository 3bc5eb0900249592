//! How many parts a multipart body may have. async-graphql writes every part that carries
//! a file name to a temporary file held open until the request ends, and bounds their
//! size, not their number: within the 9 MiB an upload may carry, 100-byte parts would be
//! ninety thousand open files. The body is counted as it streams (the delimiter
//! `--<boundary>`, found across chunk edges) and cut off with an error past
//! [`MAX_PARTS`]; the request then answers 400 `BAD_USER_INPUT` like any unreadable body.

use axum::body::{Body, Bytes};
use futures::StreamExt;

/// `operations`, `map`, and one file for each request a batch may hold (10) with room.
pub const MAX_PARTS: usize = 2 + 16;

/// The boundary of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty())
    })
}

/// Counts delimiters across chunks: the occurrences in each chunk joined to the tail of
/// the one before (shorter than the delimiter, so nothing is counted twice).
struct Counter {
    delimiter: Vec<u8>,
    tail: Vec<u8>,
    seen: usize,
}

impl Counter {
    fn feed(&mut self, chunk: &[u8]) -> usize {
        let mut buf = std::mem::take(&mut self.tail);
        buf.extend_from_slice(chunk);
        let d = self.delimiter.len();
        let mut i = 0;
        while i + d <= buf.len() {
            if buf[i..i + d] == self.delimiter[..] {
                self.seen += 1;
                i += d;
            } else {
                i += 1;
            }
        }
        let keep = (d - 1).min(buf.len());
        self.tail = buf[buf.len() - keep..].to_vec();
        self.seen
    }
}

/// `body`, failing once it has shown more than [`MAX_PARTS`] parts (the closing delimiter
/// is one more than the parts). Before it fails it reads the rest of the body, bounded by
/// the upload's byte limit (`limits`), and drops it: a server that answers with bytes of
/// the request still unread closes on them, the kernel then resets the connection, and
/// the client, still writing, may lose the answer (a "connection reset" instead of 400).
pub fn limited(body: Body, boundary: &str) -> Body {
    let counter = Counter {
        delimiter: format!("--{boundary}").into_bytes(),
        tail: Vec::new(),
        seen: 0,
    };
    let state = Some((body.into_data_stream(), counter));
    let stream = futures::stream::unfold(state, |state| async move {
        let (mut inner, mut counter) = state?;
        let chunk: Bytes = match inner.next().await? {
            Ok(chunk) => chunk,
            Err(e) => return Some((Err(std::io::Error::other(e)), None)),
        };
        if counter.feed(&chunk) > MAX_PARTS + 1 {
            while let Some(Ok(_)) = inner.next().await {}
            return Some((Err(std::io::Error::other("too many multipart parts")), None));
        }
        Some((Ok(chunk), Some((inner, counter))))
    });
    Body::from_stream(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_are_counted_across_chunk_edges_once() {
        let mut c = Counter {
            delimiter: b"--xyz".to_vec(),
            tail: Vec::new(),
            seen: 0,
        };
        assert_eq!(c.feed(b"--xy"), 0);
        assert_eq!(c.feed(b"z\r\nabc\r\n--x"), 1);
        assert_eq!(c.feed(b"yz--"), 2);
        assert_eq!(c.feed(b"--xyz--xyz"), 4);
        assert_eq!(c.feed(b""), 4);
    }

    #[test]
    fn the_boundary_is_read_from_the_content_type() {
        assert_eq!(
            boundary("multipart/form-data; boundary=\"abc\"").as_deref(),
            Some("abc")
        );
        assert_eq!(
            boundary("multipart/form-data;charset=utf-8; BOUNDARY=x-1").as_deref(),
            Some("x-1")
        );
        assert_eq!(boundary("multipart/form-data"), None);
    }

    /// Past the bound the rest of the body is read before the error, so nothing of the
    /// request is left unread when the answer goes out; below it every chunk passes.
    #[tokio::test]
    async fn past_the_bound_the_rest_is_read_before_the_error() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let part = Bytes::from_static(b"--x\r\ncontent-disposition: form-data\r\n\r\nv\r\n");
        let body_of = |parts: usize, pulled: Arc<AtomicUsize>| {
            let part = part.clone();
            let chunks = (0..parts).map(move |_| {
                pulled.fetch_add(1, Ordering::SeqCst);
                Ok::<_, std::io::Error>(part.clone())
            });
            Body::from_stream(futures::stream::iter(chunks))
        };

        let pulled = Arc::new(AtomicUsize::new(0));
        let mut out = limited(body_of(40, pulled.clone()), "x").into_data_stream();
        let mut passed = 0;
        // A reader stops at the first error, as async-graphql's does.
        while let Some(Ok(_)) = out.next().await {
            passed += 1;
        }
        assert_eq!(passed, MAX_PARTS + 1);
        assert_eq!(pulled.load(Ordering::SeqCst), 40);
        assert!(out.next().await.is_none());

        let pulled = Arc::new(AtomicUsize::new(0));
        let out = limited(body_of(MAX_PARTS, pulled.clone()), "x");
        let bytes = axum::body::to_bytes(out, usize::MAX).await.unwrap();
        assert_eq!(bytes.len(), MAX_PARTS * part.len());
    }
}
