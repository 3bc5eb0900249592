//! How many parts a multipart body may have. async-graphql writes every part that carries
//! a file name to a temporary file held open until the request ends, and bounds their
//! size, not their number: within the 9 MiB an upload may carry, 100-byte parts would be
//! ninety thousand open files. The body is counted as it streams (the delimiter
//! `--<boundary>`, found across chunk edges) and cut off with an error past
//! [`MAX_PARTS`]; the request then answers 400 `BAD_USER_INPUT` like any unreadable body.
//! Whatever makes the parser give up, what it left of the body is read before that
//! answer ([`Rest`], `limits::discard`).

use axum::body::{Body, BodyDataStream, Bytes};
use futures::StreamExt;
use std::sync::Arc;

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

/// The stream of a body being parsed, shared with its [`Rest`].
type Shared = Arc<tokio::sync::Mutex<BodyDataStream>>;

/// What is left of a body the parser gave up on.
pub struct Rest(Shared);

impl Rest {
    /// Reads the rest of the body and drops it (`limits::discard`, which bounds it).
    pub async fn discard(self) {
        let mut inner = self.0.lock().await;
        super::limits::discard(&mut *inner).await;
    }
}

/// `body` for the multipart parser (any body that is not JSON), ending with an error once
/// it has shown more than [`MAX_PARTS`] parts of `boundary`, if there is one (the closing
/// delimiter is one more than the parts), or at the body's own first error; and its
/// [`Rest`], for the caller to discard when parsing fails, for this or any other reason.
pub fn watched(body: Body, boundary: Option<&str>) -> (Body, Rest) {
    let shared: Shared = Arc::new(tokio::sync::Mutex::new(body.into_data_stream()));
    let counter = boundary.map(|boundary| Counter {
        delimiter: format!("--{boundary}").into_bytes(),
        tail: Vec::new(),
        seen: 0,
    });
    let state = Some((shared.clone(), counter));
    let stream = futures::stream::unfold(state, |state| async move {
        let (shared, mut counter) = state?;
        let next = shared.lock().await.next().await;
        let chunk: Bytes = match next? {
            Ok(chunk) => chunk,
            Err(e) => return Some((Err(std::io::Error::other(e)), None)),
        };
        if counter
            .as_mut()
            .is_some_and(|c| c.feed(&chunk) > MAX_PARTS + 1)
        {
            return Some((Err(std::io::Error::other("too many multipart parts")), None));
        }
        Some((Ok(chunk), Some((shared, counter))))
    });
    (Body::from_stream(stream), Rest(shared))
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

    /// Past the bound the parser gets an error, and the rest of the body is read when the
    /// caller discards it; below the bound every chunk passes.
    #[tokio::test]
    async fn past_the_bound_the_rest_is_read_when_discarded() {
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
        let (body, rest) = watched(body_of(40, pulled.clone()), Some("x"));
        let mut out = body.into_data_stream();
        let mut passed = 0;
        // A parser stops at the first error, as async-graphql's does.
        while let Some(Ok(_)) = out.next().await {
            passed += 1;
        }
        drop(out);
        assert_eq!(passed, MAX_PARTS + 1);
        assert_eq!(pulled.load(Ordering::SeqCst), MAX_PARTS + 2);
        rest.discard().await;
        assert_eq!(pulled.load(Ordering::SeqCst), 40);

        let pulled = Arc::new(AtomicUsize::new(0));
        let (body, _) = watched(body_of(MAX_PARTS, pulled.clone()), Some("x"));
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        assert_eq!(bytes.len(), MAX_PARTS * part.len());
    }

    /// Without a boundary nothing is counted; a discard stops at the byte bound beneath,
    /// however much the client would go on sending.
    #[tokio::test]
    async fn without_a_boundary_all_passes_and_a_discard_stops_at_the_byte_bound() {
        let chunk = Bytes::from_static(b"--x\r\n");
        let many = futures::stream::iter((0..100).map({
            let chunk = chunk.clone();
            move |_| Ok::<_, std::io::Error>(chunk.clone())
        }));
        let (body, _) = watched(Body::from_stream(many), None);
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        assert_eq!(bytes.len(), 100 * chunk.len());

        use std::sync::atomic::{AtomicUsize, Ordering};
        let pulled = Arc::new(AtomicUsize::new(0));
        let endless = futures::stream::repeat_with({
            let pulled = pulled.clone();
            move || {
                pulled.fetch_add(1, Ordering::SeqCst);
                Ok::<_, std::io::Error>(Bytes::from(vec![0u8; 1024]))
            }
        });
        let bounded = Body::new(http_body_util::Limited::new(
            Body::from_stream(endless),
            64 * 1024,
        ));
        let (_, rest) = watched(bounded, Some("x"));
        rest.discard().await;
        // 64 chunks fill the bound, the 65th crosses it and ends the read.
        assert_eq!(pulled.load(Ordering::SeqCst), 65);
    }
}
