//! What tracing costs the read page (issue 16): the `customers(first: 50)` load against
//! the harness's API (traces off) and against a second API process exporting every span
//! over OTLP/HTTP to a local collector that accepts and drops them. The runs go A-B-A
//! (off, on, off), so a drift of the shared machine cancels out. The ratio is the traced
//! API's requests per second over the mean of the two untraced runs; API CPU per request
//! sits beside it.
//!
//! Metrics are always recorded (only their exposition is opt-in), so they are in every
//! figure of the harness; their share is read from a profile (BENCHMARKS.md).

use crate::cpu;
use crate::load::{self, LoadResult};
use crate::processes::{Api, Services};
use crate::scenarios;
use anyhow::bail;
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Debug, Clone, Serialize)]
pub struct OverheadResult {
    pub untraced_before: LoadResult,
    pub traced: LoadResult,
    pub untraced_after: LoadResult,
    pub untraced_cpu_ms: Option<f64>,
    pub traced_cpu_ms: Option<f64>,
    /// Traced requests per second over the untraced mean.
    pub ratio: f64,
    /// Export requests the collector received.
    pub exports: u64,
}

/// A collector that answers 200 to every export and counts them.
async fn collector() -> anyhow::Result<(String, Arc<AtomicU64>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let count = Arc::new(AtomicU64::new(0));
    let counted = count.clone();
    let app = axum::Router::new().fallback(move || {
        let counted = counted.clone();
        async move {
            counted.fetch_add(1, Ordering::Relaxed);
            "{}"
        }
    });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((format!("http://{address}"), count))
}

#[allow(clippy::too_many_arguments)]
pub async fn run(
    services: &Services,
    client: &reqwest::Client,
    api: &Api,
    port: u16,
    providers: usize,
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
) -> anyhow::Result<OverheadResult> {
    let (endpoint, exports) = collector().await?;
    let traced_api = Api::start_with(
        services,
        port,
        "api-traced",
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
            ("RUST_LOG", "info".to_owned()),
        ],
    )
    .await?;
    let load = |api: &Api| {
        let (make, check) = scenarios::customers_page(&api.base_url, providers);
        let cpu = cpu::measure_window(api.process.pid(), warmup, duration);
        async move {
            let result = load::run(client, concurrency, warmup, duration, make, check).await;
            if result.failures > 0 || result.requests == 0 {
                bail!("{} answers failed their check", result.failures);
            }
            let ms = cpu::ms_per_request(cpu.await?, result.requests);
            Ok::<_, anyhow::Error>((result, ms))
        }
    };
    let (untraced_before, cpu_before) = load(api).await?;
    let (traced, traced_cpu_ms) = load(&traced_api).await?;
    let (untraced_after, cpu_after) = load(api).await?;
    let mean = (untraced_before.requests_per_second + untraced_after.requests_per_second) / 2.0;
    let untraced_cpu_ms = match (cpu_before, cpu_after) {
        (Some(a), Some(b)) => Some((a + b) / 2.0),
        _ => None,
    };
    Ok(OverheadResult {
        ratio: traced.requests_per_second / mean,
        untraced_before,
        traced,
        untraced_after,
        untraced_cpu_ms,
        traced_cpu_ms,
        exports: exports.load(Ordering::Relaxed),
    })
}

/// The lines of the report.
pub fn details(o: &OverheadResult) -> String {
    let cpu = |ms: Option<f64>| ms.map_or("-".to_owned(), |ms| format!("{ms:.3}"));
    format!(
        "traces on the read page (A-B-A): untraced {:.1} / {:.1} req/s, traced {:.1} req/s \
         = {:.2} of untraced; API CPU {} ms untraced, {} ms traced; {} exports received\n",
        o.untraced_before.requests_per_second,
        o.untraced_after.requests_per_second,
        o.traced.requests_per_second,
        o.ratio,
        cpu(o.untraced_cpu_ms),
        cpu(o.traced_cpu_ms),
        o.exports
    )
}
