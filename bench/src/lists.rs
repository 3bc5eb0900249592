//! The other hot shapes of issue 26 (`lists`): a provider's partnership list
//! (`indirectResellers`) and its audit log page, each answered by the harness's API (prepared
//! plans on) and by a second API process with `GRAPHQL__DIRECT_PLANS=false` (the general
//! executor), A-B-A so a drift of the shared machine cancels out; API CPU per request sits
//! beside requests per second.

use crate::cpu;
use crate::load::{self, Call, Check, LoadResult, MakeCall};
use crate::processes::{Api, Services};
use crate::scenarios::provider_token;
use anyhow::bail;
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// A provider's partnerships, with each reseller's name and ids (the partners page).
pub const PARTNERSHIPS_PAGE: &str = "query Resellers { indirectResellers(first: 25) { \
    totalCount pageInfo { hasNextPage endCursor } edges { node { id status createdAt \
    endedAt reseller { id companyName partnerNetworkId country } } } } }";

/// A provider's audit log, 50 entries (the activity page).
pub const AUDIT_PAGE: &str = "query Activity { auditLog(first: 50) { totalCount \
    pageInfo { hasNextPage endCursor } edges { node { occurredAt action targetType \
    targetId summary actorUserId actorPartnerId requestId } } } }";

/// One page measured with plans, without, with plans again.
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    pub plan_before: LoadResult,
    pub general: LoadResult,
    pub plan_after: LoadResult,
    pub plan_api_cpu_ms: Option<f64>,
    pub general_api_cpu_ms: Option<f64>,
    /// Plan requests per second (the mean of both runs) over the general path's.
    pub ratio: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListsResult {
    pub partnerships: Pair,
    pub audit_log: Pair,
}

/// `document` as one provider after another; the answer must hold `field`'s page.
fn page(
    base: &str,
    providers: usize,
    document: &'static str,
    field: &'static str,
) -> (MakeCall, Check) {
    let url = format!("{base}/graphql");
    let body = json!({ "query": document }).to_string();
    let make: MakeCall = Arc::new(move |client, n| Call {
        url: url.clone(),
        body: Some(body.clone()),
        token: Some(provider_token((client + n as usize) % providers + 1)),
    });
    let check: Check = Arc::new(move |status, body| {
        if status != 200 {
            return Err(format!("HTTP {status}: {}", String::from_utf8_lossy(body)));
        }
        let answer: Value =
            serde_json::from_slice(body).map_err(|e| format!("unexpected answer ({e})"))?;
        if answer.get("errors").is_some() {
            return Err(format!("GraphQL errors: {answer}"));
        }
        match answer["data"][field]["edges"].as_array() {
            Some(edges) if !edges.is_empty() => Ok(()),
            _ => Err(format!("an empty page: {answer}")),
        }
    });
    (make, check)
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
) -> anyhow::Result<ListsResult> {
    let general_api = Api::start_with(
        services,
        port,
        "api-lists-general",
        &[("GRAPHQL__DIRECT_PLANS", "false".to_owned())],
    )
    .await?;
    let load = |api: &Api, document: &'static str, field: &'static str| {
        let (make, check) = page(&api.base_url, providers, document, field);
        let cpu = cpu::measure_window(api.process.pid(), warmup, duration);
        async move {
            let result = load::run(client, concurrency, warmup, duration, make, check).await;
            if result.failures > 0 || result.requests == 0 {
                bail!(
                    "{field}: {} answers failed their check: {:?}",
                    result.failures,
                    result.first_failure
                );
            }
            let ms = cpu::ms_per_request(cpu.await?, result.requests);
            Ok::<_, anyhow::Error>((result, ms))
        }
    };
    let mut pairs = Vec::new();
    for (document, field) in [
        (PARTNERSHIPS_PAGE, "indirectResellers"),
        (AUDIT_PAGE, "auditLog"),
    ] {
        eprintln!("lists: {field} with plans, without, with ...");
        let (plan_before, cpu_before) = load(api, document, field).await?;
        let (general, general_api_cpu_ms) = load(&general_api, document, field).await?;
        let (plan_after, cpu_after) = load(api, document, field).await?;
        let plan_api_cpu_ms = match (cpu_before, cpu_after) {
            (Some(a), Some(b)) => Some((a + b) / 2.0),
            (a, b) => a.or(b),
        };
        let plan_rate = (plan_before.requests_per_second + plan_after.requests_per_second) / 2.0;
        pairs.push(Pair {
            ratio: plan_rate / general.requests_per_second,
            plan_before,
            general,
            plan_after,
            plan_api_cpu_ms,
            general_api_cpu_ms,
        });
    }
    let audit_log = pairs.pop().expect("two pages");
    let partnerships = pairs.pop().expect("two pages");
    Ok(ListsResult {
        partnerships,
        audit_log,
    })
}

/// The lines of the report.
pub fn report(r: &ListsResult) -> String {
    let line = |name: &str, p: &Pair| {
        let ms = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.3} ms"));
        format!(
            "{name}: plan {:.1} / {:.1} req/s, general {:.1} req/s ({:.2}x); API CPU plan {}, general {}\n",
            p.plan_before.requests_per_second,
            p.plan_after.requests_per_second,
            p.general.requests_per_second,
            p.ratio,
            ms(p.plan_api_cpu_ms),
            ms(p.general_api_cpu_ms),
        )
    };
    line("partnership list (indirectResellers, 25)", &r.partnerships)
        + &line("audit log (auditLog, 50)", &r.audit_log)
}
