//! Parsed documents by their text. Clients send the same few documents again and again
//! (an app's queries are constants; only variables change), and parsing is the largest
//! cost of a small request: about an eighth of the API's CPU at the `{ __typename }` floor
//! (BENCHMARKS.md, round 2). A document is a pure function of its text, so one cache serves
//! every application and tenant of the process; a hit costs a lookup and a clone of the
//! tree instead of a parse.
//!
//! Bounded by what the trees hold, not only by their texts: a document is kept only once
//! the guard accepted it ([`Parsed::accepted`]; a refused one is never kept), only texts up
//! to [`MAX_TEXT`] bytes, and the kept trees together stand for at most [`MAX_WEIGHT`]
//! selections (a selection's tree is a few hundred bytes: a few MB at worst) in at most
//! [`MAX_ENTRIES`] entries. A full cache starts over, so a client sending ever-new texts
//! cannot grow it.

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::parser::{Result, parse_query};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

pub const MAX_TEXT: usize = 8 * 1024;
pub const MAX_ENTRIES: usize = 512;
pub const MAX_WEIGHT: usize = 20_000;

#[derive(Default)]
struct Documents {
    by_text: HashMap<Box<str>, Arc<ExecutableDocument>>,
    /// Selections the kept trees stand for (each entry counts at least one).
    weight: usize,
}

static CACHE: LazyLock<Mutex<Documents>> = LazyLock::new(Default::default);

/// A parsed document, and whether it came from the cache.
pub struct Parsed<'t> {
    pub doc: ExecutableDocument,
    text: &'t str,
    cached: bool,
}

impl Parsed<'_> {
    /// The guard accepted the document (it stands for `selections`): keep it for the next
    /// request with the same text.
    pub fn accepted(&self, selections: usize) {
        if self.cached || self.text.len() > MAX_TEXT {
            return;
        }
        let weight = selections.max(1);
        if weight > MAX_WEIGHT / 4 {
            return;
        }
        let mut cache = lock();
        if cache.by_text.len() >= MAX_ENTRIES || cache.weight + weight > MAX_WEIGHT {
            *cache = Documents::default();
        }
        if cache
            .by_text
            .insert(self.text.into(), Arc::new(self.doc.clone()))
            .is_none()
        {
            cache.weight += weight;
        }
    }
}

/// The document `text` stands for: from the cache, or parsed (and kept only once
/// [`Parsed::accepted`]).
pub fn parse(text: &str) -> Result<Parsed<'_>> {
    if text.len() <= MAX_TEXT
        && let Some(doc) = lock().by_text.get(text).cloned()
    {
        return Ok(Parsed {
            doc: (*doc).clone(),
            text,
            cached: true,
        });
    }
    Ok(Parsed {
        doc: parse_query(text)?,
        text,
        cached: false,
    })
}

fn lock() -> std::sync::MutexGuard<'static, Documents> {
    CACHE.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contains(text: &str) -> bool {
        lock().by_text.contains_key(text)
    }

    #[test]
    fn a_cached_document_is_the_parsed_one() {
        let text = "query Cached($n: Int) { a: viewer { id } ...F } fragment F on Query { b }";
        let first = parse(text).unwrap();
        assert!(!first.cached);
        first.accepted(4);
        let second = parse(text).unwrap();
        assert!(second.cached);
        assert_eq!(format!("{:?}", first.doc), format!("{:?}", second.doc));
        assert!(parse("{ unclosed").is_err());
        assert!(!contains("{ unclosed"));
    }

    #[test]
    fn only_accepted_documents_are_kept() {
        let text = "{ refusedByTheGuard }";
        let parsed = parse(text).unwrap();
        drop(parsed);
        assert!(!contains(text));
    }

    #[test]
    fn long_texts_and_heavy_trees_are_not_kept() {
        let text = format!(
            "{{ __typename {} }}",
            "# padding\n".repeat(MAX_TEXT / 10 + 1)
        );
        parse(&text).unwrap().accepted(1);
        assert!(!contains(text.as_str()));
        let heavy = "{ heavyTree }";
        parse(heavy).unwrap().accepted(MAX_WEIGHT);
        assert!(!contains(heavy));
    }

    #[test]
    fn the_kept_trees_stay_within_their_weight() {
        for i in 0..2_000 {
            let text = format!("{{ w{i}: __typename }}");
            parse(&text).unwrap().accepted(MAX_WEIGHT / 8);
            let cache = lock();
            assert!(cache.weight <= MAX_WEIGHT, "weight {}", cache.weight);
            assert!(cache.by_text.len() <= MAX_ENTRIES);
        }
    }
}
