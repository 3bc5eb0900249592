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
            .insert(&app.db)
            .await
            .unwrap();
        }
    }
}

async fn page_cost_does_not_grow_with_rows(backend: Backend) {
    // No in-process worker: its scheduled jobs would add statements to the count.
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
