//! What the cost budget costs (issue 22): `{ __typename }` and the read page against the
//! harness's API (budget on: every request charged to its caller's bucket in Redis and
//! reported in `extensions.cost`; the bucket is made too large to refuse anything) and
//! against a second API process with the budget off (`RATE_LIMITS__COST_BUCKET=0`). The runs
//! go A-B-A (on, off, on) per scenario, so a drift of the shared machine cancels out; API CPU
//! per request sits beside requests per second.

use crate::cpu;
use crate::load::{self, Check, LoadResult, MakeCall};
use crate::processes::{Api, Services};
use crate::scenarios;
use anyhow::bail;
use serde::Serialize;
use std::time::Duration;

/// One scenario measured on, off, on.
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    pub on_before: LoadResult,
    pub off: LoadResult,
    pub on_after: LoadResult,
    pub on_cpu_ms: Option<f64>,
    pub off_cpu_ms: Option<f64>,
    /// Budget-on requests per second over budget-off.
    pub ratio: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BudgetResult {
    pub typename: Pair,
    pub read: Pair,
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
) -> anyhow::Result<BudgetResult> {
    let off_api = Api::start_with(
        services,
        port,
        "api-budget-off",
        &[("RATE_LIMITS__COST_BUCKET", "0".to_owned())],
    )
    .await?;
    let load = |api: &Api, scenario: fn(&str, usize) -> (MakeCall, Check)| {
        let (make, check) = scenario(&api.base_url, providers);
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
    let mut pairs = Vec::new();
    let typename: fn(&str, usize) -> (MakeCall, Check) = |base, _| scenarios::typename(base);
    for scenario in [typename, scenarios::customers_page] {
        let (on_before, cpu_before) = load(api, scenario).await?;
        let (off, off_cpu_ms) = load(&off_api, scenario).await?;
        let (on_after, cpu_after) = load(api, scenario).await?;
        let mean = (on_before.requests_per_second + on_after.requests_per_second) / 2.0;
        let on_cpu_ms = match (cpu_before, cpu_after) {
            (Some(a), Some(b)) => Some((a + b) / 2.0),
            _ => None,
        };
        pairs.push(Pair {
            ratio: mean / off.requests_per_second,
            on_before,
            off,
            on_after,
            on_cpu_ms,
            off_cpu_ms,
        });
    }
    let read = pairs.pop().expect("two scenarios");
    let typename = pairs.pop().expect("two scenarios");
    Ok(BudgetResult { typename, read })
}

/// The lines of the report.
pub fn details(b: &BudgetResult) -> String {
    let cpu = |ms: Option<f64>| ms.map_or("-".to_owned(), |ms| format!("{ms:.3}"));
    let line = |name: &str, p: &Pair| {
        format!(
            "cost budget, {name} (A-B-A): on {:.1} / {:.1} req/s, off {:.1} req/s = {:.3} of off; \
             API CPU {} ms on, {} ms off\n",
            p.on_before.requests_per_second,
            p.on_after.requests_per_second,
            p.off.requests_per_second,
            p.ratio,
            cpu(p.on_cpu_ms),
            cpu(p.off_cpu_ms)
        )
    };
    line("{ __typename }", &b.typename) + &line("read page", &b.read)
}
