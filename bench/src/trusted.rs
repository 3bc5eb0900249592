//! What trusted documents save (issue 26): `{ __typename }` and the read page sent as text
//! and named by `documentId`, against one API process that loads both documents from a
//! manifest file (`GRAPHQL__TRUSTED_DOCUMENTS_FILE`). A named document skips the parse
//! (here: the parsed-document cache's lookup and clone), the guard's walk and the
//! validation rules; execution is the general path (the direct executor of issue 26 part 2
//! is measured as `read_trusted`). The runs go A-B-A (text, trusted, text) per document,
//! so a drift of the shared machine cancels out; API CPU per request sits beside requests
//! per second.

use crate::cpu;
use crate::load::{self, Call, Check, LoadResult, MakeCall};
use crate::processes::{Api, Services};
use crate::scenarios::{self, CUSTOMERS_PAGE};
use anyhow::bail;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;

const TYPENAME: &str = "{ __typename }";

/// One document measured as text, by id, as text.
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    pub text_before: LoadResult,
    pub trusted: LoadResult,
    pub text_after: LoadResult,
    pub text_api_cpu_ms_per_request: Option<f64>,
    pub trusted_api_cpu_ms_per_request: Option<f64>,
    /// Trusted requests per second over the text runs' mean.
    pub ratio: f64,
}

/// `trusted_typename` and `trusted_read_general` (the read page named by id, on the
/// general executor).
#[derive(Debug, Clone, Serialize)]
pub struct TrustedResult {
    pub trusted_typename: Pair,
    pub trusted_read_general: Pair,
}

/// `sha256:<hex>` of a document.
pub fn document_id(document: &str) -> String {
    let digest = Sha256::digest(document.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

fn named(base: &str, token: Option<String>, document: &str) -> Call {
    Call {
        url: format!("{base}/graphql"),
        body: Some(json!({ "documentId": document_id(document) }).to_string()),
        token,
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn run(
    services: &Services,
    client: &reqwest::Client,
    port: u16,
    providers: usize,
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
) -> anyhow::Result<TrustedResult> {
    let manifest = services.log_dir.join("trusted-documents.json");
    let documents = json!({
        document_id(TYPENAME): TYPENAME,
        document_id(CUSTOMERS_PAGE): CUSTOMERS_PAGE,
    });
    std::fs::write(&manifest, documents.to_string())?;
    let api = Api::start_with(
        services,
        port,
        "api-trusted",
        &[(
            "GRAPHQL__TRUSTED_DOCUMENTS_FILE",
            manifest.display().to_string(),
        )],
    )
    .await?;
    let load = |make: MakeCall, check: Check| {
        let cpu = cpu::measure_window(api.process.pid(), warmup, duration);
        async move {
            let result = load::run(client, concurrency, warmup, duration, make, check).await;
            if result.failures > 0 || result.requests == 0 {
                bail!(
                    "{} answers failed their check (first: {:?})",
                    result.failures,
                    result.first_failure
                );
            }
            let ms = cpu::ms_per_request(cpu.await?, result.requests);
            Ok::<_, anyhow::Error>((result, ms))
        }
    };
    let base = api.base_url.clone();

    let (text, check) = scenarios::typename(&base);
    let by_id: MakeCall = {
        let base = base.clone();
        Arc::new(move |_, _| named(&base, None, TYPENAME))
    };
    let typename = pair(
        load(text.clone(), check.clone()).await?,
        load(by_id, check.clone()).await?,
        load(text, check).await?,
    );

    let (text, check) = scenarios::customers_page(&base, providers);
    let by_id: MakeCall = {
        let base = base.clone();
        Arc::new(move |client, n| {
            let provider = (client + n as usize) % providers + 1;
            named(
                &base,
                Some(scenarios::provider_token(provider)),
                CUSTOMERS_PAGE,
            )
        })
    };
    let read = pair(
        load(text.clone(), check.clone()).await?,
        load(by_id, check.clone()).await?,
        load(text, check).await?,
    );
    Ok(TrustedResult {
        trusted_typename: typename,
        trusted_read_general: read,
    })
}

type Measured = (LoadResult, Option<f64>);

fn pair(before: Measured, trusted: Measured, after: Measured) -> Pair {
    let mean = (before.0.requests_per_second + after.0.requests_per_second) / 2.0;
    let text_cpu = match (before.1, after.1) {
        (Some(a), Some(b)) => Some((a + b) / 2.0),
        (a, b) => a.or(b),
    };
    Pair {
        ratio: trusted.0.requests_per_second / mean,
        text_before: before.0,
        trusted: trusted.0,
        text_after: after.0,
        text_api_cpu_ms_per_request: text_cpu,
        trusted_api_cpu_ms_per_request: trusted.1,
    }
}

/// The lines of the report.
pub fn details(t: &TrustedResult) -> String {
    let cpu = |ms: Option<f64>| ms.map_or("-".to_owned(), |ms| format!("{ms:.3}"));
    let line = |name: &str, p: &Pair| {
        format!(
            "{name}: text {:.1} / {:.1} req/s, trusted {:.1} req/s = {:.2} of text; \
             API CPU {} ms text, {} ms trusted\n",
            p.text_before.requests_per_second,
            p.text_after.requests_per_second,
            p.trusted.requests_per_second,
            p.ratio,
            cpu(p.text_api_cpu_ms_per_request),
            cpu(p.trusted_api_cpu_ms_per_request),
        )
    };
    line("trusted documents, { __typename }", &t.trusted_typename)
        + &line(
            "trusted documents, customers(first: 50)",
            &t.trusted_read_general,
        )
}
