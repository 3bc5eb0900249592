//! The requests the harness sends, each with the check a user would apply to its answer.

use crate::load::{Call, Check, MakeCall, graphql_check};
use crate::read_trusted::{self, Mode};
use anyhow::{Context, bail};
use serde_json::{Value, json};
use std::sync::Arc;

/// The page a provider's customer list shows: each customer with its subscriptions, their
/// offer, partner of record and support contact (the read query).
pub const CUSTOMERS_PAGE: &str = "query CustomersPage { customers(first: 50) { totalCount \
    pageInfo { hasNextPage endCursor } edges { node { id companyName \
    subscriptions { id quantity status offer { id name } \
    partnerOfRecord { id companyName } supportContact { id companyName } } } } } }";

const CREATE_CUSTOMER: &str = "mutation CreateCustomer($input: CreateCustomerInput!) { \
    createCustomer(input: $input) { customer { id subscriptions { id } } order { id } \
    userErrors { code message } } }";

const REQUEST_PARTNERSHIP: &str = "mutation Invite($email: String!) { \
    requestPartnership(input: {resellerEmail: $email}) { invitation { id } \
    userErrors { code message } } }";

/// The bearer token the dataset gives provider `n` (1-based) of the benchmark.
pub fn provider_token(n: usize) -> String {
    format!("bench-provider-{n}")
}

fn graphql_call(base: &str, token: Option<String>, query: &str, variables: Value) -> Call {
    Call {
        url: format!("{base}/graphql"),
        body: Some(json!({ "query": query, "variables": variables }).to_string()),
        token,
    }
}

/// `customers(first: 50)` as one of the providers, in turn.
pub fn customers_page(base: &str, providers: usize) -> (MakeCall, Check) {
    customers_page_as(base, providers, Mode::QueryText)
}

/// The same page, its document sent as `mode` says (a trusted document's id, or text).
pub fn customers_page_as(base: &str, providers: usize, mode: Mode) -> (MakeCall, Check) {
    let url = format!("{base}/graphql");
    let body = read_trusted::request_body(CUSTOMERS_PAGE, mode, json!({}));
    let make: MakeCall = Arc::new(move |client, n| {
        let provider = (client + n as usize) % providers + 1;
        Call {
            url: url.clone(),
            body: Some(body.clone()),
            token: Some(provider_token(provider)),
        }
    });
    let check: Check = Arc::new(|status, body| {
        if status != 200 {
            return Err(format!("HTTP {status}: {}", String::from_utf8_lossy(body)));
        }
        // Typed and borrowed: checking 50 customers must not cost more than serving them.
        let page: PageAnswer =
            serde_json::from_slice(body).map_err(|e| format!("unexpected answer ({e})"))?;
        if page.errors.is_some() {
            return Err(format!("GraphQL errors: {}", String::from_utf8_lossy(body)));
        }
        let edges = page.data.ok_or("no data")?.customers.edges;
        if edges.len() != 50 {
            return Err(format!("{} customers instead of 50", edges.len()));
        }
        for edge in &edges {
            if edge.node.subscriptions.is_empty() || edge.node.company_name.is_empty() {
                return Err(format!(
                    "a customer without subscriptions: {}",
                    edge.node.id
                ));
            }
            for s in &edge.node.subscriptions {
                if s.offer.name.is_empty()
                    || s.support_contact.company_name.is_empty()
                    || s.quantity < 1
                {
                    return Err(format!("incomplete subscription {}", s.id));
                }
            }
        }
        Ok(())
    });
    (make, check)
}

#[derive(serde::Deserialize)]
struct PageAnswer<'a> {
    #[serde(borrow)]
    data: Option<PageData<'a>>,
    errors: Option<serde::de::IgnoredAny>,
}
#[derive(serde::Deserialize)]
struct PageData<'a> {
    #[serde(borrow)]
    customers: CustomerConnection<'a>,
}
#[derive(serde::Deserialize)]
struct CustomerConnection<'a> {
    #[serde(borrow)]
    edges: Vec<CustomerEdge<'a>>,
}
#[derive(serde::Deserialize)]
struct CustomerEdge<'a> {
    #[serde(borrow)]
    node: CustomerNode<'a>,
}
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct CustomerNode<'a> {
    id: &'a str,
    company_name: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    subscriptions: Vec<SubscriptionNode<'a>>,
}
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubscriptionNode<'a> {
    id: &'a str,
    quantity: i64,
    #[serde(borrow)]
    offer: Named<'a>,
    #[serde(borrow)]
    support_contact: Named<'a>,
}
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Named<'a> {
    #[serde(default, borrow)]
    name: std::borrow::Cow<'a, str>,
    #[serde(default, borrow)]
    company_name: std::borrow::Cow<'a, str>,
}

/// What a provider needs to create customers: a partner reseller and three offers.
#[derive(Debug, Clone)]
pub struct OrderIds {
    pub reseller_id: String,
    pub offer_ids: [String; 3],
}

async fn query(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    q: &str,
) -> anyhow::Result<Value> {
    let answer: Value = client
        .post(format!("{base}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": q }))
        .send()
        .await?
        .json()
        .await?;
    if answer.get("errors").is_some() {
        bail!("GraphQL errors: {}", answer["errors"]);
    }
    Ok(answer["data"].clone())
}

/// Looks the ids up through the API, as a frontend would.
pub async fn order_ids(
    client: &reqwest::Client,
    base: &str,
    provider: usize,
) -> anyhow::Result<OrderIds> {
    let token = provider_token(provider);
    let partners = query(
        client,
        base,
        &token,
        "{ indirectResellers(first: 1) { edges { node { reseller { id } } } } }",
    )
    .await?;
    let reseller_id = partners["indirectResellers"]["edges"][0]["node"]["reseller"]["id"]
        .as_str()
        .context("the provider has no partner reseller")?
        .to_owned();
    let offers = query(
        client,
        base,
        &token,
        "{ offers(first: 20, filter: {category: PRODUCTIVITY}) { edges { node { id } } } }",
    )
    .await?;
    let ids: Vec<String> = offers["offers"]["edges"]
        .as_array()
        .context("no offers")?
        .iter()
        .filter_map(|e| e["node"]["id"].as_str().map(str::to_owned))
        .collect();
    if ids.len() < 3 {
        bail!("fewer than three productivity offers");
    }
    Ok(OrderIds {
        reseller_id,
        offer_ids: [ids[0].clone(), ids[1].clone(), ids[2].clone()],
    })
}

/// `createCustomer` with three lines, each call a new customer (unique domain and key).
pub fn create_customer(base: &str, provider: usize, ids: OrderIds, run: &str) -> (MakeCall, Check) {
    let (base, run) = (base.to_owned(), run.to_owned());
    let make: MakeCall = Arc::new(move |client, n| {
        let tag = format!("{run}-{client}-{n}");
        let lines: Vec<Value> = ids
            .offer_ids
            .iter()
            .enumerate()
            .map(|(i, offer)| {
                json!({ "offerId": offer, "quantity": 5 + i, "partnerOfRecordId": ids.reseller_id })
            })
            .collect();
        let input = json!({
            "companyName": format!("Bench Customer {tag}"),
            "domain": format!("c{tag}.bench.example"),
            "country": "US",
            "address": { "line1": "1 Main Street", "city": "Redmond", "postalCode": "98052" },
            "billingContact": { "name": "Pat Doe", "email": format!("billing@c{tag}.bench.example") },
            "indirectResellerId": ids.reseller_id,
            "lines": lines,
            "idempotencyKey": format!("bench-{tag}"),
        });
        graphql_call(
            &base,
            Some(provider_token(provider)),
            CREATE_CUSTOMER,
            json!({ "input": input }),
        )
    });
    let check = graphql_check(|data| {
        let payload = &data["createCustomer"];
        if payload["userErrors"]
            .as_array()
            .is_none_or(|e| !e.is_empty())
        {
            return Err(format!("userErrors: {}", payload["userErrors"]));
        }
        let subscriptions = payload["customer"]["subscriptions"]
            .as_array()
            .map_or(0, Vec::len);
        if subscriptions != 3 || payload["order"]["id"].as_str().is_none() {
            return Err(format!(
                "not a customer with three subscriptions: {payload}"
            ));
        }
        Ok(())
    });
    (make, check)
}

/// `{ __typename }`: the GraphQL floor.
pub fn typename(base: &str) -> (MakeCall, Check) {
    typename_as(base, Mode::QueryText)
}

/// The floor, its document sent as `mode` says.
pub fn typename_as(base: &str, mode: Mode) -> (MakeCall, Check) {
    let url = format!("{base}/graphql");
    let body = read_trusted::request_body(read_trusted::TYPENAME, mode, json!({}));
    let make: MakeCall = Arc::new(move |_, _| Call {
        url: url.clone(),
        body: Some(body.clone()),
        token: None,
    });
    let check = graphql_check(|data| match data["__typename"].as_str() {
        Some(name) if !name.is_empty() => Ok(()),
        _ => Err(format!("unexpected {data}")),
    });
    (make, check)
}

/// `GET /healthz`: a plain axum handler in the same binary, behind the same middleware.
pub fn plain_handler(base: &str) -> (MakeCall, Check) {
    let url = format!("{base}/healthz");
    let make: MakeCall = Arc::new(move |_, _| Call {
        url: url.clone(),
        body: None,
        token: None,
    });
    let check: Check = Arc::new(|status, body| {
        let value: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON ({e})"))?;
        if status == 200 && value["status"] == "ok" {
            Ok(())
        } else {
            Err(format!("HTTP {status}: {value}"))
        }
    });
    (make, check)
}

/// `requestPartnership` to a new address; returns the invitation's id.
pub async fn request_partnership(
    client: &reqwest::Client,
    base: &str,
    provider: usize,
    email: &str,
) -> anyhow::Result<()> {
    let answer: Value = client
        .post(format!("{base}/graphql"))
        .bearer_auth(provider_token(provider))
        .json(&json!({ "query": REQUEST_PARTNERSHIP, "variables": { "email": email } }))
        .send()
        .await?
        .json()
        .await?;
    let payload = &answer["data"]["requestPartnership"];
    if answer.get("errors").is_some()
        || payload["invitation"]["id"].as_str().is_none()
        || payload["userErrors"]
            .as_array()
            .is_none_or(|e| !e.is_empty())
    {
        bail!("requestPartnership refused: {answer}");
    }
    Ok(())
}
