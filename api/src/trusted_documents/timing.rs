//! What a trusted document saves before execution, measured in process (a timing printout,
//! not a test of figures): `cargo test -p api --release -- --ignored trusted_timing
//! --nocapture`. Per request, the text path runs the guard (its nesting scan, the parsed-
//! document cache's lookup and clone of the tree, the walk) and full validation; a trusted
//! document clones its prepared figures and tree and runs `ValidationMode::Fast`.

use super::prepared;
use crate::graphql::guard::{self, Limits};
use crate::settings::Settings;
use async_graphql::Variables;
use std::sync::Arc;
use std::time::Instant;

const CUSTOMERS_PAGE: &str = "query CustomersPage { customers(first: 50) { totalCount \
    pageInfo { hasNextPage endCursor } edges { node { id companyName \
    subscriptions { id quantity status offer { id name } \
    partnerOfRecord { id companyName } supportContact { id companyName } } } } } }";

fn micros(runs: u32, started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1e6 / f64::from(runs)
}

#[tokio::test]
#[ignore = "a timing printout: run with --release --ignored --nocapture"]
async fn trusted_timing() {
    // The read page costs 1,051 points, more than the default bucket: budget off, as the
    // benchmark's is too large to refuse anything.
    let mut settings = Settings::default();
    settings.rate_limits.cost_bucket = 0;
    let settings = Arc::new(settings);
    let limits = Limits::of(&settings);
    let strict = crate::graphql::build_validator(settings.clone());
    let fast = crate::graphql::build_fast_validator(settings.clone());
    let runs = 20_000;
    for (name, text) in [
        ("{ __typename }", "{ __typename }"),
        ("customers page", CUSTOMERS_PAGE),
    ] {
        let prepared = prepared::prepare(&super::document_id(text), text, &strict, limits)
            .await
            .unwrap();
        // Text: the guard, then full validation (the cache holds the tree after the first).
        let started = Instant::now();
        for _ in 0..runs {
            let mut request = async_graphql::Request::new(text);
            guard::prepare(&mut request, limits).unwrap();
        }
        let guard_us = micros(runs, started);
        let started = Instant::now();
        for _ in 0..runs {
            let mut request = async_graphql::Request::new(text);
            guard::prepare(&mut request, limits).unwrap();
            assert!(strict.execute(request).await.errors.is_empty());
        }
        let text_us = micros(runs, started);
        // Trusted: the prepared figures and tree, then the fast rules.
        let started = Instant::now();
        for _ in 0..runs {
            let mut request = async_graphql::Request::new("");
            prepared.shape(None, &Variables::default(), limits).unwrap();
            request.set_parsed_query(prepared.doc.clone());
            assert!(fast.execute(request).await.errors.is_empty());
        }
        let trusted_us = micros(runs, started);
        let started = Instant::now();
        for _ in 0..runs {
            let mut request = async_graphql::Request::new("");
            request.set_parsed_query(prepared.doc.clone());
            assert!(strict.execute(request).await.errors.is_empty());
        }
        let strict_only_us = micros(runs, started);
        println!(
            "{name}: text {text_us:.1} µs (guard {guard_us:.1} + validation and the executor's \
             preparation {:.1}); trusted {trusted_us:.1} µs (full validation of the parsed \
             tree alone: {strict_only_us:.1} µs)",
            text_us - guard_us
        );
    }
}
