//! Parsed documents by their text. Clients send the same few documents again and again
//! (an app's queries are constants; only variables change), and parsing is the largest
//! cost of a small request: about an eighth of the API's CPU at the `{ __typename }` floor
//! (BENCHMARKS.md, round 2). A document is a pure function of its text, so one cache serves
//! every application and tenant of the process; a hit costs a lookup and a clone of the
//! tree instead of a parse.
//!
//! Bounded: only texts up to [`MAX_TEXT`] bytes are kept, at most [`MAX_ENTRIES`] of them
//! (about 4 MiB at worst); a full cache starts over, so a client sending ever-new texts
//! cannot grow it.

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::parser::{Result, parse_query};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

pub const MAX_TEXT: usize = 8 * 1024;
pub const MAX_ENTRIES: usize = 512;

type Documents = HashMap<Box<str>, Arc<ExecutableDocument>>;

static CACHE: LazyLock<Mutex<Documents>> = LazyLock::new(Default::default);

/// The document `text` stands for, parsed once per distinct text.
pub fn parse(text: &str) -> Result<ExecutableDocument> {
    let cacheable = text.len() <= MAX_TEXT;
    if cacheable && let Some(doc) = lock().get(text).cloned() {
        return Ok((*doc).clone());
    }
    let doc = parse_query(text)?;
    if cacheable {
        let mut cache = lock();
        if cache.len() >= MAX_ENTRIES {
            cache.clear();
        }
        cache.insert(text.into(), Arc::new(doc.clone()));
    }
    Ok(doc)
}

fn lock() -> std::sync::MutexGuard<'static, Documents> {
    CACHE.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cached_document_is_the_parsed_one() {
        let text = "query Cached($n: Int) { a: viewer { id } ...F } fragment F on Query { b }";
        let first = parse(text).unwrap();
        let second = parse(text).unwrap();
        assert_eq!(format!("{first:?}"), format!("{second:?}"));
        assert!(lock().contains_key(text));
        assert!(parse("{ unclosed").is_err());
        assert!(!lock().contains_key("{ unclosed"));
    }

    #[test]
    fn long_texts_are_not_kept() {
        let text = format!(
            "{{ __typename {} }}",
            "# padding\n".repeat(MAX_TEXT / 10 + 1)
        );
        assert!(parse(&text).is_ok());
        assert!(!lock().contains_key(text.as_str()));
    }
}
