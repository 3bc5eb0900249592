//! Prepared plans (issue 26, `graphql::direct`): the hot shapes answered from a prepared
//! plan are byte for byte what the general path answers. Two servers share one database:
//! one with plans (the default), one with `GRAPHQL__DIRECT_PLANS=false`. Every request goes
//! to both, and status, content type and body bytes (`extensions.cost` included) must be
//! equal; the first server's `/metrics` tells whether its plan answered.

mod audit_log;
mod audit_skew;
mod customers;
mod partnerships;

use crate::customers::{World, fourth_coffee, world};
use chrono::{TimeZone, Utc};
use e2e::TestApp;
use entity::enums::SubscriptionStatus;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};

const METRICS_TOKEN: &str = "direct-scrape";

/// The two servers and the callers of the comparisons.
pub struct Pair {
    /// The app that seeded the database (it owns the SQLite file's directory): requests
    /// that must not spend either compared server's budget go to it.
    pub origin: TestApp,
    pub direct: TestApp,
    pub general: TestApp,
    pub world: World,
    /// A second provider with customers of its own (tenancy).
    pub other_provider: String,
    pub platform: String,
    /// Fourth Coffee's admin, before and after replacing the temporary password.
    pub customer_temporary: String,
    pub customer: String,
}

/// The world of the customer tests, Fourth Coffee delegated to Fabrikam, a second provider
/// and customers with every optional field set or missing; then the two servers.
pub async fn pair(app: TestApp) -> Pair {
    if std::env::var("DIRECT_DEBUG").is_ok() {
        e2e::capture_logs();
    }
    let w = world(&app).await;
    let created = fourth_coffee(&app, &w).await;
    let (_, other_provider) = app
        .active_partner("INDIRECT_PROVIDER", "Tailspin Toys", "admin@tailspin.test")
        .await;
    let platform = app.platform_admin_token().await;
    let password = created["setupInfo"]["temporaryPassword"].as_str().unwrap();
    let admin = created["setupInfo"]["adminUserName"].as_str().unwrap();
    let customer_temporary = app.login(admin, password).await;
    let changed = app
        .gql(
            "mutation($c: String!, $n: String!) { changePassword(input: {currentPassword: $c, newPassword: $n}) { userErrors { code } } }",
            json!({ "c": password, "n": "a-new-password-42" }),
            Some(&customer_temporary),
        )
        .await;
    assert_eq!(changed.data()["changePassword"]["userErrors"], json!([]));
    let customer = app.login(admin, "a-new-password-42").await;
    let customer_temporary = {
        // A second sign-in with a temporary password in place: a second customer's admin.
        let second = app
            .gql(
                crate::customers::CREATE,
                json!({ "input": crate::customers::customer_input(
                    "second.example", None,
                    json!([{ "offerId": crate::customers::offer_id(&app, &w.provider, "ENTRA-ID-P1").await, "quantity": 3 }]),
                    "direct-second") }),
                Some(&w.provider),
            )
            .await;
        let setup = &second.data()["createCustomer"]["setupInfo"];
        app.login(
            setup["adminUserName"].as_str().unwrap(),
            setup["temporaryPassword"].as_str().unwrap(),
        )
        .await
    };
    let provider_id = partner_id(&app, &w.provider).await;
    let other_id = partner_id(&app, &other_provider).await;
    seed(&app, provider_id, partner_row(&w.reseller_id), 9).await;
    seed(&app, other_id, partner_row(&w.reseller_id), 3).await;
    // The world's emails are delivered by the origin's worker, which records each delivery
    // in the audit log: wait for them, or a page read by both servers could see an entry
    // more the second time.
    {
        use entity::{enums::DeliveryStatus, outbound_email};
        use sea_orm::PaginatorTrait;
        e2e::services::eventually(
            "no email queued",
            std::time::Duration::from_secs(60),
            || async {
                let queued = outbound_email::Entity::find()
                    .filter(outbound_email::Column::Status.eq(DeliveryStatus::Queued))
                    .count(&app.db)
                    .await
                    .unwrap();
                (queued == 0).then_some(())
            },
        )
        .await;
    }
    // Budgets that never refill and never run out: both servers report the same figures
    // for the same sequence of requests.
    let same_budget = |s: &mut api::Settings| {
        s.rate_limits.cost_bucket = 1_000_000_000;
        s.rate_limits.cost_restore_per_second = 0;
    };
    let direct = app
        .twin(|s| {
            same_budget(s);
            s.metrics.token = Some(METRICS_TOKEN.to_owned().into());
        })
        .await;
    let general = app
        .twin(|s| {
            same_budget(s);
            s.graphql.direct_plans = false;
        })
        .await;
    Pair {
        origin: app,
        direct,
        general,
        world: w,
        other_provider,
        platform,
        customer_temporary,
        customer,
    }
}

async fn partner_id(app: &TestApp, token: &str) -> i32 {
    let viewer = app
        .gql("{ viewer { partner { id } } }", json!({}), Some(token))
        .await;
    partner_row(viewer.data()["viewer"]["partner"]["id"].as_str().unwrap())
}

fn partner_row(global: &str) -> i32 {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(global)
        .unwrap();
    let text = String::from_utf8(raw).unwrap();
    text.split(':').nth(1).unwrap().parse().unwrap()
}

/// `n` customers of `provider_id` straight into the database: optional fields set on every
/// other one, names that need escaping, one without subscriptions, partner of record on
/// some subscriptions only.
async fn seed(app: &TestApp, provider_id: i32, reseller_id: i32, n: usize) {
    let offers: Vec<i32> = entity::offer::Entity::find()
        .filter(entity::offer::Column::Sku.is_in(["M365-BUSINESS-BASIC", "ENTRA-ID-P1"]))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.id)
        .collect();
    let at = Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap()
        + chrono::Duration::microseconds(123_456);
    for i in 0..n {
        let full = i % 2 == 0;
        let customer = entity::customer::ActiveModel {
            provider_id: Set(provider_id),
            reseller_id: Set(None),
            company_name: Set(match i % 3 {
                0 => format!("Plain {provider_id}-{i}"),
                1 => format!("Quote \"{i}\" back\\slash\ttab\nline </script> é 台灣 🚀"),
                _ => format!("\u{1} control {i}"),
            }),
            domain: Set(format!("c{provider_id}-{i}.direct.example")),
            country: Set(if full { "TW" } else { "US" }.into()),
            address_line1: Set(format!("{i} Main St")),
            address_line2: Set(full.then(|| format!("Floor {i}"))),
            city: Set("Taipei".into()),
            postal_code: Set("100".into()),
            billing_contact_name: Set("Pat".into()),
            billing_contact_email: Set("pat@example.com".into()),
            billing_contact_phone: Set(full.then(|| "+886 2 1234".to_owned())),
            language: Set(if full { "zh-TW" } else { "en-US" }.into()),
            idempotency_key: Set(None),
            azure_tenant_owner_id: Set(None),
            created_at: Set(at + chrono::Duration::seconds(i as i64)),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        let subscriptions = if i == 3 { 0 } else { 1 + i % 3 };
        for j in 0..subscriptions {
            entity::subscription::ActiveModel {
                customer_id: Set(customer.id),
                offer_id: Set(offers[j % offers.len()]),
                quantity: Set(1 + j as i32),
                status: Set(if j == 1 {
                    SubscriptionStatus::Suspended
                } else {
                    SubscriptionStatus::Active
                }),
                partner_of_record_id: Set((j == 0 && full).then_some(reseller_id)),
                support_contact_partner_id: Set(if j == 1 { reseller_id } else { provider_id }),
                upgraded_from_id: Set(None),
                created_at: Set(at),
                updated_at: Set(at + chrono::Duration::milliseconds(j as i64)),
                ..Default::default()
            }
            // A term running now: one that had ended would be renewed by the origin's
            // worker during the test, whose audit entries would race the two servers' reads.
            .with_first_term(entity::terms::TermDuration::P1Y, Utc::now(), true)
            .insert(&app.db)
            .await
            .unwrap();
        }
    }
}

impl Pair {
    /// Sends the request to both servers; asserts the same status, content type and body
    /// bytes, and whether a plan answered it (`direct`). Returns the body.
    pub async fn same(
        &self,
        query: &str,
        variables: Value,
        token: Option<&str>,
        direct: bool,
    ) -> Value {
        self.same_body(
            json!({ "query": query, "variables": variables }),
            token,
            direct,
        )
        .await
    }

    pub async fn same_body(&self, body: Value, token: Option<&str>, direct: bool) -> Value {
        self.same_in(None, body, token, direct).await
    }

    /// [`Pair::same_body`] with `Accept-Language: lang`.
    pub async fn same_in(
        &self,
        lang: Option<&str>,
        body: Value,
        token: Option<&str>,
        direct: bool,
    ) -> Value {
        let before = self.answered().await;
        let a = send(&self.direct, &body, token, lang).await;
        let b = send(&self.general, &body, token, lang).await;
        let answered = self.answered().await - before;
        if a.2 != b.2 && std::env::var("DIRECT_DEBUG").is_ok() {
            let logs = e2e::capture_logs().lock().unwrap();
            for line in String::from_utf8_lossy(&logs).lines() {
                if line.contains("ERROR") || line.contains("WARN") || line.contains("rror") {
                    eprintln!("{line}");
                }
            }
        }
        assert_eq!(
            (a.0, &a.1),
            (b.0, &b.1),
            "status and content type of {body}"
        );
        assert_eq!(
            String::from_utf8_lossy(&a.2),
            String::from_utf8_lossy(&b.2),
            "body of {body}"
        );
        assert_eq!(a.2, b.2, "bytes of {body}");
        assert_eq!(answered, u64::from(direct), "answered by a plan: {body}");
        serde_json::from_slice(&a.2).unwrap()
    }

    /// Pages through `field` as `token`: forwards by 3 to the end and one page past it
    /// (an empty page, whose count needs a statement of its own), then back by 2 to the
    /// start, every page answered by the plan and alike; then windows between the cursors
    /// `windows` name, both ways. `forward` takes `$n`, `$after`, `$before`; `backward`
    /// `$n`, `$before`, `$after`. Returns every cursor, in list order.
    pub async fn walk(
        &self,
        (field, forward, backward): (&str, &str, &str),
        token: Option<&str>,
        windows: &[(usize, usize)],
    ) -> Vec<Value> {
        let mut cursors = Vec::new();
        let mut after = Value::Null;
        loop {
            let page = self
                .same(forward, json!({ "n": 3, "after": after }), token, true)
                .await;
            let connection = &page["data"][field];
            for edge in connection["edges"].as_array().unwrap() {
                cursors.push(edge["cursor"].clone());
            }
            if connection["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = connection["pageInfo"]["endCursor"].clone();
        }
        let last = cursors.last().cloned().unwrap_or(Value::Null);
        self.same(forward, json!({ "n": 3, "after": last }), token, true)
            .await;
        let mut before = Value::Null;
        loop {
            let page = self
                .same(backward, json!({ "n": 2, "before": before }), token, true)
                .await;
            let info = &page["data"][field]["pageInfo"];
            if info["hasPreviousPage"] != true {
                break;
            }
            before = info["startCursor"].clone();
        }
        for &(after, before) in windows {
            let window = json!({ "n": 3, "after": cursors[after], "before": cursors[before] });
            self.same(forward, window.clone(), token, true).await;
            self.same(backward, window, token, true).await;
        }
        cursors
    }

    /// `graphql_direct_answers` of the server with plans.
    async fn answered(&self) -> u64 {
        let text = self
            .direct
            .client
            .get(format!("{}/metrics", self.direct.address))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("partner_center_graphql_direct_answers_total "))
            .and_then(|v| v.trim().parse().ok())
            .expect("direct answers on /metrics")
    }
}

async fn send(
    app: &TestApp,
    body: &Value,
    token: Option<&str>,
    lang: Option<&str>,
) -> (u16, String, Vec<u8>) {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(body);
    if let Some(lang) = lang {
        request = request.header("accept-language", lang);
    }
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        status,
        content_type,
        response.bytes().await.unwrap().to_vec(),
    )
}

/// PostgreSQL plans each of the product's statements once per connection (they are
/// prepared once already): `plan_cache_mode` is `force_generic_plan` on its connections,
/// unless the database URL names the mode itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_plans_each_statement_once() {
    use sea_orm::ConnectionTrait;
    let app = e2e::spawn_app(e2e::Backend::Postgres).await;
    let mode = |db: sea_orm::DatabaseConnection| async move {
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SHOW plan_cache_mode",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<String>(0).unwrap()
    };
    assert_eq!(mode(app.db.clone()).await, "force_generic_plan");
    let own = app
        .twin(|s| {
            let url = format!(
                "{}?options=-c%20plan_cache_mode%3Dauto",
                app.database_url.as_deref().unwrap()
            );
            s.database_url = Some(url.into());
        })
        .await;
    assert_eq!(mode(own.db.clone()).await, "auto");
}
