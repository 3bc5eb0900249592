//! Lists never issue one SQL statement per row: a page of 100 customers with subscriptions,
//! offers, partner of record and support contact costs the same few statements as a page
//! of 10 (counted by the server itself on `/metrics`).

use super::*;
use chrono::Utc;
use e2e::{Backend, TestApp, spawn_app_with};
use entity::enums::SubscriptionStatus;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

const PAGE: &str = "query($n: Int!) { customers(first: $n) { totalCount edges { node {
  companyName provider { companyName } indirectReseller { companyName }
  subscriptions { quantity status monthlyTotal { formatted }
    offer { name monthlyUnitPrice { formatted } }
    partnerOfRecord { companyName } supportContact { companyName } } } } } }";

const METRICS_TOKEN: &str = "test-scrape-token";

async fn statements(app: &TestApp) -> u64 {
    let text = app
        .client
        .get(format!("{}/metrics", app.address))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("partner_center_db_statements_total "))
        .and_then(|v| v.trim().parse().ok())
        .expect("statement counter on /metrics")
}

/// Seeds `n` customers straight into the database: half delegated to the reseller, each
/// with two subscriptions crediting / designating different partners.
async fn seed(app: &TestApp, provider_id: i32, reseller_id: i32, n: usize) {
    let offers: Vec<i32> = entity::offer::Entity::find()
        .filter(entity::offer::Column::Sku.is_in([
            "M365-BUSINESS-BASIC",
            "ENTRA-ID-P1",
            "DEFENDER-ENDPOINT-P1",
        ]))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.id)
        .collect();
    let now = Utc::now();
    for i in 0..n {
        let customer = entity::customer::ActiveModel {
            provider_id: Set(provider_id),
            reseller_id: Set((i % 2 == 0).then_some(reseller_id)),
            company_name: Set(format!("Customer {i:03}")),
            domain: Set(format!("customer{i}.example")),
            country: Set("US".into()),
            address_line1: Set("1 Main St".into()),
            address_line2: Set(None),
            city: Set("Seattle".into()),
            postal_code: Set("98101".into()),
            billing_contact_name: Set("Bill".into()),
            billing_contact_email: Set("bill@example.com".into()),
            billing_contact_phone: Set(None),
            language: Set("en-US".into()),
            idempotency_key: Set(None),
            azure_tenant_owner_id: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        for (j, offer) in offers.iter().take(2).enumerate() {
            entity::subscription::ActiveModel {
                customer_id: Set(customer.id),
                offer_id: Set(offers[(i + j) % offers.len()].max(*offer)),
                quantity: Set(1 + (i as i32 % 50)),
                status: Set(SubscriptionStatus::Active),
                partner_of_record_id: Set((j == 0).then_some(reseller_id)),
                support_contact_partner_id: Set(if j == 1 { reseller_id } else { provider_id }),
                upgraded_from_id: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .with_first_term(entity::terms::TermDuration::P1Y, now, true)
            .insert(&app.db)
            .await
            .unwrap();
        }
    }
}

/// An app without in-process worker (its scheduled jobs would add statements to the
/// count), with the world and 100 seeded customers of its provider.
async fn seeded(backend: Backend) -> (TestApp, World) {
    let app = spawn_app_with(backend, |s| {
        s.embedded_worker = Some(false);
        s.metrics.token = Some(METRICS_TOKEN.to_owned().into());
    })
    .await;
    let w = world(&app).await;
    let ids = |global: &str| {
        use base64::Engine;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(global)
            .unwrap();
        String::from_utf8(raw)
            .unwrap()
            .split(':')
            .nth(1)
            .unwrap()
            .parse::<i32>()
            .unwrap()
    };
    let viewer = app
        .gql(
            "{ viewer { partner { id } } }",
            json!({}),
            Some(&w.provider),
        )
        .await;
    let provider_id = ids(viewer.data()["viewer"]["partner"]["id"].as_str().unwrap());
    seed(&app, provider_id, ids(&w.reseller_id), 100).await;
    (app, w)
}

async fn page_cost_does_not_grow_with_rows(backend: Backend) {
    let (app, w) = seeded(backend).await;
    let mut costs = Vec::new();
    for n in [10, 100] {
        let before = statements(&app).await;
        let res = app.gql(PAGE, json!({ "n": n }), Some(&w.provider)).await;
        let after = statements(&app).await;
        let edges = res.data()["customers"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), n);
        assert!(
            edges
                .iter()
                .all(|e| e["node"]["subscriptions"].as_array().unwrap().len() == 2)
        );
        assert!(edges.iter().any(
            |e| e["node"]["subscriptions"][0]["partnerOfRecord"]["companyName"]
                == "Fabrikam Solutions"
        ));
        costs.push(after - before);
    }
    println!(
        "{backend:?}: statements for a page of 10 = {}, of 100 = {}",
        costs[0], costs[1]
    );
    assert_eq!(
        costs[0], costs[1],
        "a page of 100 costs what a page of 10 does"
    );
    assert!(
        costs[1] <= 10,
        "a small constant number of statements, got {}",
        costs[1]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_cost_does_not_grow_with_rows_sqlite() {
    page_cost_does_not_grow_with_rows(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_cost_does_not_grow_with_rows_postgres() {
    page_cost_does_not_grow_with_rows(Backend::Postgres).await;
}

/// The page the partner center shows most asks only for the display fields of each
/// subscription's offer and partners, and is answered from one prefetched row per
/// subscription. Its answer is the one the general resolvers give (the same selection
/// behind a fragment takes that path), aliases, nulls and order included, and costs the
/// session, the page and its subscriptions: three statements, at 10 rows as at 100.
async fn display_page_answers_as_the_general_path(backend: Backend) {
    let (app, w) = seeded(backend).await;
    let selection = "__typename id quantity status createdAt updatedAt
        offer { __typename id name } credited: partnerOfRecord { id companyName }
        supportContact { companyName id __typename }";
    let direct = format!(
        "query($n: Int!) {{ customers(first: $n) {{ pageInfo {{ hasNextPage }} edges {{ node {{
            companyName subscriptions {{ {selection} }} }} }} }} }}"
    );
    let through_fragment = format!(
        "query($n: Int!) {{ customers(first: $n) {{ pageInfo {{ hasNextPage }} edges {{ node {{
            companyName subscriptions {{ ...S }} }} }} }} }}
         fragment S on Subscription {{ {selection} }}"
    );
    let mut costs = Vec::new();
    for n in [10, 100] {
        let before = statements(&app).await;
        let fast = app.gql(&direct, json!({ "n": n }), Some(&w.provider)).await;
        costs.push(statements(&app).await - before);
        let general = app
            .gql(&through_fragment, json!({ "n": n }), Some(&w.provider))
            .await;
        assert_eq!(fast.body, general.body, "{backend:?}: page of {n}");
        let edges = fast.data()["customers"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), n);
        let first = &edges[0]["node"]["subscriptions"];
        assert_eq!(first.as_array().unwrap().len(), 2);
        // The seed credits the reseller on the first subscription only.
        assert_eq!(first[0]["credited"]["companyName"], "Fabrikam Solutions");
        assert_eq!(first[1]["credited"], Value::Null);
        assert_eq!(first[0]["__typename"], "Subscription");
        assert!(
            first[0]["offer"]["name"]
                .as_str()
                .is_some_and(|n| !n.is_empty())
        );
    }
    assert_eq!(
        costs[0], costs[1],
        "{backend:?}: a page of 100 costs what 10 do"
    );
    assert!(costs[1] <= 3, "{backend:?}: {} statements", costs[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn display_page_answers_as_the_general_path_sqlite() {
    display_page_answers_as_the_general_path(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn display_page_answers_as_the_general_path_postgres() {
    display_page_answers_as_the_general_path(Backend::Postgres).await;
}
