//! Subscription terms (issue 24): terms and their defaults, the cancellation window at its
//! edges under the test-controlled clock, `setSubscriptionAutoRenew` (who may, tenancy),
//! the worker's renewals at the price then in force and term ends, exactly once with
//! several workers, and the term-end notices once each in the reader's language.
//!
//! The apps here run without the in-process worker, so only the test's own calls of
//! `worker::terms` renew or end anything (no scheduled pass races the assertions).

pub use crate::admin_relationships::raw_id;
pub use crate::customers::{CREATE, World, customer_input, offer_id, world};
use e2e::{Backend, TestApp};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

/// Runs `$name(Backend)` on both backends.
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(e2e::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(e2e::Backend::Postgres).await;
            }
        }
    };
}

mod auto_renew;
mod choices;
mod demo;
mod notices;
mod renewal;
mod window;

pub const SUB: &str = "query($id: ID!) { node(id: $id) { ... on Subscription {
  id status quantity term termStartedAt termEndsAt autoRenew cancellationWindowEndsAt
  partnerOfRecord { companyName } } } }";
pub const AUTO_RENEW: &str = "mutation($id: ID!, $on: Boolean!) {
  setSubscriptionAutoRenew(input: {subscriptionId: $id, autoRenew: $on}) {
    subscription { id autoRenew } userErrors { code field message } } }";
pub const QUANTITY: &str = "mutation($id: ID!, $q: Int!) {
  updateSubscriptionQuantity(input: {subscriptionId: $id, quantity: $q}) {
    subscription { quantity } userErrors { code field message } } }";
pub const CANCEL: &str = "mutation($id: ID!) { cancelSubscription(input: {subscriptionId: $id}) {
  subscription { status } userErrors { code field message } } }";

/// An app whose clock the test moves, without the in-process worker.
pub struct Terms {
    pub app: TestApp,
    pub clock: api::mfa::Clock,
}

impl Terms {
    pub async fn spawn(backend: Backend) -> Self {
        let clock = api::mfa::Clock::default();
        let shared = clock.clone();
        let app = e2e::spawn_app_with(backend, move |s| {
            s.clock = shared;
            s.embedded_worker = Some(false);
        })
        .await;
        Self { app, clock }
    }
}

/// Creates a customer (for the world's reseller when `reseller`) with `lines`; returns
/// (customer id, subscription ids in line order).
pub async fn buy(
    app: &TestApp,
    w: &World,
    domain: &str,
    reseller: bool,
    lines: Value,
) -> (String, Vec<String>) {
    let mut input = customer_input(
        domain,
        reseller.then_some(w.reseller_id.as_str()),
        lines,
        domain,
    );
    if reseller {
        input["adminRoles"] = json!(["CUSTOMER_READER", "ORDER_MANAGER", "SUBSCRIPTION_MANAGER"]);
    }
    let res = app
        .gql(CREATE, json!({ "input": input }), Some(&w.provider))
        .await;
    let payload = &res.data()["createCustomer"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    let subs = payload["customer"]["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    (payload["customer"]["id"].as_str().unwrap().to_owned(), subs)
}

pub async fn sub(app: &TestApp, token: &str, id: &str) -> Value {
    let res = app.gql(SUB, json!({ "id": id }), Some(token)).await;
    res.data()["node"].clone()
}

pub fn time(v: &Value) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("{v}")))
        .unwrap()
        .to_utc()
}

/// Moves a subscription's current term so that it ends at `ends`.
pub async fn set_term_end(app: &TestApp, id: &str, ends: chrono::DateTime<chrono::Utc>) {
    use entity::subscription::{Column, Entity};
    use sea_orm::sea_query::Expr;
    Entity::update_many()
        .col_expr(Column::TermEndsAt, Expr::value(ends))
        .filter(Column::Id.eq(raw_id(id)))
        .exec(&app.db)
        .await
        .unwrap();
}

/// Audit entries (events) of `action` on the subscription.
pub async fn events(app: &TestApp, action: &str, id: &str) -> u64 {
    entity::audit_entry::Entity::find()
        .filter(entity::audit_entry::Column::Action.eq(action))
        .filter(entity::audit_entry::Column::TargetId.eq(id))
        .count(&app.db)
        .await
        .unwrap()
}

/// The subscription's order lines of `kind`, as (list, reseller) unit prices.
pub async fn lines(app: &TestApp, id: &str, kind: &str) -> Vec<(Option<i64>, Option<i64>)> {
    use entity::enums::OrderLineKind;
    let kind = match kind {
        "NEW" => OrderLineKind::New,
        "RENEWAL" => OrderLineKind::Renewal,
        other => panic!("{other}"),
    };
    use sea_orm::QueryOrder;
    entity::order_line::Entity::find()
        .filter(entity::order_line::Column::SubscriptionId.eq(raw_id(id)))
        .order_by_asc(entity::order_line::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|l| l.kind == kind)
        .map(|l| (l.list_unit_price_minor, l.reseller_unit_price_minor))
        .collect()
}
