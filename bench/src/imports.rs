//! Bulk customer import (issue 25): a file of 10,000 rows (one customer each, one
//! subscription, delegated to a partner reseller) imported by one worker process, in rows
//! per second from upload to FINISHED; beside `createCustomer` called one by one over HTTP
//! for the same kind of customer, and pgbench running the same inserts one customer per
//! transaction with one client (`pgbench/import_customer.sql`).

use crate::load::{self, Call, Check, MakeCall, graphql_check};
use crate::pgbench::{self, PgbenchResult};
use crate::processes::{Api, Services, start_workers};
use crate::scenarios::{OrderIds, order_ids, provider_token};
use anyhow::{Context, bail};
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Serialize)]
pub struct ImportResult {
    pub rows: usize,
    pub file_bytes: usize,
    /// Upload to the import's `finishedAt` being visible.
    pub seconds: f64,
    pub rows_per_second: f64,
    /// `createCustomer` with the same customer, one request at a time.
    pub one_by_one: load::LoadResult,
    /// The same inserts, one customer per transaction, one client.
    pub pgbench: PgbenchResult,
}

const HEADER: &str = "company_name,domain,country,address_line1,address_line2,city,postal_code,billing_contact_name,billing_contact_email,billing_contact_phone,language,indirect_reseller_id,offer_id,quantity,partner_of_record_id";

const IMPORT: &str = "mutation($input: ImportCustomersInput!) { importCustomers(input: $input) { import { id } userErrors { code message } } }";

const CREATE_ONE: &str = "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } userErrors { code message } } }";

fn file(rows: usize, ids: &OrderIds, tag: &str) -> Vec<u8> {
    let mut text = String::from(HEADER);
    for i in 0..rows {
        text.push_str(&format!(
            "\nImport {tag} {i},i{i}-{tag}.bench.example,US,1 Main Street,,Redmond,98052,Pat Doe,billing@i{i}-{tag}.bench.example,,en-US,{r},{o},5,{r}",
            r = ids.reseller_id,
            o = ids.offer_ids[0]
        ));
    }
    text.push('\n');
    text.into_bytes()
}

async fn gql(
    client: &reqwest::Client,
    base: &str,
    query: &str,
    variables: Value,
) -> anyhow::Result<Value> {
    let answer: Value = client
        .post(format!("{base}/graphql"))
        .bearer_auth(provider_token(1))
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await?
        .json()
        .await?;
    Ok(answer)
}

#[allow(clippy::too_many_arguments)]
pub async fn run(
    services: &Services,
    api: &Api,
    client: &reqwest::Client,
    url: &str,
    rows: usize,
    warmup: Duration,
    duration: Duration,
    providers: usize,
) -> anyhow::Result<ImportResult> {
    let ids = order_ids(client, &api.base_url, 1).await?;
    let tag = format!("{:x}", chrono::Utc::now().timestamp_millis());
    let bytes = file(rows, &ids, &tag);
    let file_bytes = bytes.len();
    let _workers = start_workers(services, 1)?;
    tokio::time::sleep(Duration::from_secs(1)).await;

    eprintln!("imports: {rows} rows ({file_bytes} bytes), one worker ...");
    let operations = json!({ "query": IMPORT, "variables": { "input": {
        "file": null, "idempotencyKey": format!("bench-{tag}") } } });
    let form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({ "0": ["variables.input.file"] }).to_string())
        .part(
            "0",
            reqwest::multipart::Part::bytes(bytes)
                .file_name("book.csv")
                .mime_str("text/csv")?,
        );
    let started = Instant::now();
    let answer: Value = client
        .post(format!("{}/graphql", api.base_url))
        .bearer_auth(provider_token(1))
        .header("apollo-require-preflight", "true")
        .multipart(form)
        .send()
        .await?
        .json()
        .await?;
    let id = answer["data"]["importCustomers"]["import"]["id"]
        .as_str()
        .with_context(|| format!("the import was not stored: {answer}"))?
        .to_owned();
    let read = "query($id: ID!) { node(id: $id) { ... on CustomerImport { status processed succeeded failed finishedAt } } }";
    let done = loop {
        let import =
            gql(client, &api.base_url, read, json!({ "id": id })).await?["data"]["node"].clone();
        if import["finishedAt"].is_string() {
            break import;
        }
        if started.elapsed() > Duration::from_secs(1800) {
            bail!("the import did not finish in 30 minutes: {import}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let seconds = started.elapsed().as_secs_f64();
    if done["status"] != "SUCCEEDED" || done["succeeded"].as_u64() != Some(rows as u64) {
        bail!("the import did not create every row: {done}");
    }

    eprintln!("imports: createCustomer one by one ...");
    let (make, check) = one_by_one(&api.base_url, ids, &tag);
    let one_by_one = load::run(client, 1, warmup, duration, make, check).await;
    if one_by_one.failures > 0 {
        bail!("createCustomer failed: {:?}", one_by_one.first_failure);
    }
    eprintln!("imports: pgbench import_customer.sql, one client ...");
    let pgbench = pgbench::run(
        url,
        "import_customer.sql",
        1,
        warmup,
        duration,
        &[("providers", providers.to_string())],
    )?;
    Ok(ImportResult {
        rows,
        file_bytes,
        seconds,
        rows_per_second: rows as f64 / seconds,
        one_by_one,
        pgbench,
    })
}

/// The same customer as an import row, by `createCustomer`.
fn one_by_one(base: &str, ids: OrderIds, tag: &str) -> (MakeCall, Check) {
    let (base, tag) = (base.to_owned(), tag.to_owned());
    let make: MakeCall = Arc::new(move |client, n| {
        let t = format!("{tag}-{client}-{n}");
        let input = json!({
            "companyName": format!("One {t}"),
            "domain": format!("o{t}.bench.example"),
            "country": "US",
            "address": { "line1": "1 Main Street", "city": "Redmond", "postalCode": "98052" },
            "billingContact": { "name": "Pat Doe", "email": format!("billing@o{t}.bench.example") },
            "indirectResellerId": ids.reseller_id,
            "lines": [{ "offerId": ids.offer_ids[0], "quantity": 5, "partnerOfRecordId": ids.reseller_id }],
            "idempotencyKey": format!("one-{t}"),
        });
        Call {
            url: format!("{base}/graphql"),
            body: Some(json!({ "query": CREATE_ONE, "variables": { "input": input } }).to_string()),
            token: Some(provider_token(1)),
        }
    });
    let check = graphql_check(|data| {
        let payload = &data["createCustomer"];
        if payload["customer"]["id"].is_string() {
            Ok(())
        } else {
            Err(format!("no customer: {payload}"))
        }
    });
    (make, check)
}
