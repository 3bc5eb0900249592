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
/// is one more than the parts).
pub fn limited(body: Body, boundary: &str) -> Body {
    let mut counter = Counter {
        delimiter: format!("--{boundary}").into_bytes(),
        tail: Vec::new(),
        seen: 0,
    };
    let stream = body.into_data_stream().map(move |chunk| {
        let chunk: Bytes = chunk.map_err(std::io::Error::other)?;
        if counter.feed(&chunk) > MAX_PARTS + 1 {
            return Err(std::io::Error::other("too many multipart parts"));
        }
        Ok(chunk)
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
}
