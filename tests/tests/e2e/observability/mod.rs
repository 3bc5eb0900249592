//! Operations (issue 16): what an operator reads on `/metrics` of the API and of the worker
//! process, parsed by an independent Prometheus text parser (`prometheus-parse`), and the
//! traces both export.

mod dashboard;
mod metrics;
mod traces;
mod worker_process;

use prometheus_parse::{Sample, Scrape, Value};

/// The exposition at `url` (with the scrape token), parsed.
pub async fn scrape(client: &reqwest::Client, url: &str, token: &str) -> Scrape {
    let resp = client.get(url).bearer_auth(token).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let content_type = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.contains("openmetrics-text"), "{content_type}");
    let text = resp.text().await.unwrap();
    Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).expect("the exposition parses")
}

/// The samples named `name` whose labels include every pair of `labels`.
pub fn samples<'a>(scrape: &'a Scrape, name: &str, labels: &[(&str, &str)]) -> Vec<&'a Sample> {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .collect()
}

/// The value of the one sample named `name` with `labels` (a histogram's count).
pub fn value(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    let found = samples(scrape, name, labels);
    assert_eq!(found.len(), 1, "one {name} {labels:?}: {found:?}");
    match &found[0].value {
        Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => *v,
        Value::Histogram(buckets) => buckets.last().map_or(0.0, |b| b.count),
        Value::Summary(_) => panic!("no summaries here"),
    }
}

/// No label value looks like an id, an address or a path with one: the number of series
/// stays bounded whatever the traffic.
pub fn assert_bounded_labels(scrape: &Scrape) {
    for sample in &scrape.samples {
        for (name, value) in sample.labels.iter() {
            assert!(
                !value.contains('@') && !value.contains("?") && value.len() <= 64,
                "{}: label {name}={value}",
                sample.metric
            );
        }
    }
}
