//! Bulk customer import (issue 25): both error policies, dry run, duplicate domains,
//! malformed files and bounds, the one-time credentials download, tenancy, and a worker
//! SIGKILLed mid-import (PostgreSQL + Redis) that leaves every row done exactly once;
//! cancelling and deleting imports; refused uploads that keep their connection.

mod batched;
mod crash;
mod credentials;
mod ending;
mod files;
mod policies;
mod refusals;

use crate::customers::{World, offer_id};
use e2e::TestApp;
use serde_json::{Value, json};
use std::time::Duration;

pub const IMPORT: &str =
    "mutation($input: ImportCustomersInput!) { importCustomers(input: $input) {
  import { id status errorPolicy dryRun totalRows }
  userErrors { code field message } } }";

pub const READ: &str = "query($id: ID!) { node(id: $id) { ... on CustomerImport {
  id status dryRun totalRows processed succeeded failed finishedAt credentialsAvailable
  rows(first: 100) { totalCount edges { node { index line
    customer { domain indirectReseller { companyName } subscriptions { quantity offer { sku } partnerOfRecord { companyName } } }
    userErrors { code field message } } } } } } }";

pub const HEADER: &str = "company_name,domain,country,address_line1,address_line2,city,postal_code,billing_contact_name,billing_contact_email,billing_contact_phone,language,indirect_reseller_id,offer_id,quantity,partner_of_record_id";

/// One CSV line.
pub fn line(
    company: &str,
    domain: &str,
    reseller: &str,
    offer: &str,
    quantity: i32,
    por: &str,
) -> String {
    format!(
        "{company},{domain},US,1 Main St,,Seattle,98101,Ana Bill,billing@{domain},,en-US,{reseller},{offer},{quantity},{por}"
    )
}

pub fn file(lines: &[String]) -> Vec<u8> {
    let mut text = HEADER.to_owned();
    for l in lines {
        text.push('\n');
        text.push_str(l);
    }
    text.push('\n');
    text.into_bytes()
}

/// `importCustomers` with `file` as the upload (GraphQL multipart request).
pub async fn upload(app: &TestApp, token: &str, bytes: Vec<u8>, input: Value) -> Value {
    let mut variables = json!({ "input": input });
    variables["input"]["file"] = Value::Null;
    let operations = json!({ "query": IMPORT, "variables": variables }).to_string();
    let form = reqwest::multipart::Form::new()
        .text("operations", operations)
        .text("map", json!({ "0": ["variables.input.file"] }).to_string())
        .part(
            "0",
            reqwest::multipart::Part::bytes(bytes)
                .file_name("customers.csv")
                .mime_str("text/csv")
                .unwrap(),
        );
    let resp = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("apollo-require-preflight", "true")
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("request sent");
    let body: Value = resp.json().await.expect("JSON body");
    body["data"]["importCustomers"].clone()
}

/// Uploads and expects it stored; returns the import's id.
pub async fn queued(app: &TestApp, token: &str, bytes: Vec<u8>, input: Value) -> String {
    let payload = upload(app, token, bytes, input).await;
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    payload["import"]["id"].as_str().unwrap().to_owned()
}

pub async fn read(app: &TestApp, token: &str, id: &str) -> Value {
    app.gql(READ, json!({ "id": id }), Some(token)).await.data()["node"].clone()
}

/// The import once the worker has finished it.
pub async fn finished(app: &TestApp, token: &str, id: &str) -> Value {
    e2e::services::eventually("the import to finish", Duration::from_secs(60), || async {
        let import = read(app, token, id).await;
        import["finishedAt"].is_string().then_some(import)
    })
    .await
}

/// The row errors as `(index, code, field)`.
pub fn errors(import: &Value) -> Vec<(i64, String, Vec<String>)> {
    let mut out = Vec::new();
    for edge in import["rows"]["edges"].as_array().unwrap() {
        for e in edge["node"]["userErrors"].as_array().unwrap() {
            out.push((
                edge["node"]["index"].as_i64().unwrap(),
                e["code"].as_str().unwrap().to_owned(),
                e["field"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f.as_str().unwrap().to_owned())
                    .collect(),
            ));
        }
    }
    out
}

/// How many imports the provider's `customerImports` lists.
pub async fn import_count(app: &TestApp, token: &str) -> i64 {
    let list = app
        .gql(
            "{ customerImports(first: 10) { totalCount } }",
            json!({}),
            Some(token),
        )
        .await;
    list.data()["customerImports"]["totalCount"]
        .as_i64()
        .unwrap()
}

/// The provider's customers' domains.
pub async fn domains(app: &TestApp, token: &str) -> Vec<String> {
    let res = app
        .gql(
            "{ customers(first: 100) { edges { node { domain } } } }",
            json!({}),
            Some(token),
        )
        .await;
    let mut all: Vec<String> = res.data()["customers"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["domain"].as_str().unwrap().to_owned())
        .collect();
    all.sort();
    all
}

/// Offers used by the files: Business Basic and Entra ID P1.
pub struct Offers {
    pub basic: String,
    pub entra: String,
}

pub async fn offers(app: &TestApp, w: &World) -> Offers {
    Offers {
        basic: offer_id(app, &w.provider, "M365-BUSINESS-BASIC").await,
        entra: offer_id(app, &w.provider, "ENTRA-ID-P1").await,
    }
}
