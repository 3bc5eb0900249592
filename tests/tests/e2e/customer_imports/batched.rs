//! A batch of customers is written at once (`onboarding::write_many`): what it writes is
//! what `createCustomer` writes for each customer (its relationship, its order lines at the
//! reseller's price-list price, its events in order), and a batch refused as a whole (two
//! spellings of one domain that only the database sees as one) falls back to one by one
//! and keeps the others.

use super::*;
use crate::customers::world;
use crate::price_lists::{assign, create_list, set_price};
use e2e::Backend;
use e2e::e2e;
use entity::{customer, order, order_line};
use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder};

/// `(domain, list price, reseller price)` of every order line, in line order.
async fn lines_of(app: &TestApp) -> Vec<(String, i64, Option<i64>)> {
    let customers = customer::Entity::find().all(&app.db).await.unwrap();
    let orders = order::Entity::find().all(&app.db).await.unwrap();
    let lines = order_line::Entity::find()
        .order_by_asc(order_line::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    lines
        .iter()
        .map(|l| {
            let order = orders.iter().find(|o| o.id == l.order_id).unwrap();
            let customer = customers
                .iter()
                .find(|c| c.id == order.customer_id)
                .unwrap();
            (
                customer.domain.clone(),
                l.list_unit_price_minor.unwrap(),
                l.reseller_unit_price_minor,
            )
        })
        .collect()
}

async fn a_batch_writes_what_create_customer_writes(app: e2e::TestApp) {
    let w = world(&app).await;
    let o = offers(&app, &w).await;
    let list = create_list(&app, &w.provider, "Fabrikam at list minus 12 %", false).await;
    assign(&app, &w.provider, &list, &[&w.reseller_id]).await;
    set_price(
        &app,
        &w.provider,
        json!({ "priceListId": list, "offerId": o.basic, "markupPercent": "-12" }),
    )
    .await;

    let book = file(&[
        line(
            "Alpine Ski",
            "alpine.example",
            &w.reseller_id,
            &o.basic,
            5,
            "",
        ),
        line("", "alpine.example", "", &o.entra, 2, &w.reseller_id),
        line("Coho Winery", "coho.example", "", &o.basic, 3, ""),
        line("Datum", "datum.example", &w.reseller_id, &o.basic, 1, ""),
    ]);
    let id = queued(
        &app,
        &w.provider,
        book,
        json!({ "idempotencyKey": "batch" }),
    )
    .await;
    let import = finished(&app, &w.provider, &id).await;
    assert_eq!(import["status"], "SUCCEEDED", "{import}");
    assert_eq!(import["succeeded"], 4);

    // Each line at the price of the reseller the order is for: Business Basic at -12 %
    // (600 → 528) for Fabrikam's customers, Entra ID P1 (not on the list) at list price,
    // and no reseller price where no reseller is.
    assert_eq!(
        lines_of(&app).await,
        vec![
            ("alpine.example".to_owned(), 600, Some(528)),
            ("alpine.example".to_owned(), 600, Some(600)),
            ("coho.example".to_owned(), 600, None),
            ("datum.example".to_owned(), 600, Some(528)),
        ]
    );
    let rows = import["rows"]["edges"].as_array().unwrap();
    let alpine = &rows[0]["node"]["customer"];
    assert_eq!(
        alpine["indirectReseller"]["companyName"],
        "Fabrikam Solutions"
    );
    assert_eq!(alpine["subscriptions"].as_array().unwrap().len(), 2);
    assert!(rows[2]["node"]["customer"]["indirectReseller"].is_null());
    let res = app
        .gql(
            "{ customers(first: 10) { edges { node { domain adminRelationships { status roles } } } } }",
            json!({}),
            Some(&w.provider),
        )
        .await;
    for edge in res.data()["customers"]["edges"].as_array().unwrap() {
        let node = &edge["node"];
        let relationships = node["adminRelationships"].as_array().unwrap();
        if node["domain"] == "coho.example" {
            assert!(relationships.is_empty(), "{node}");
        } else {
            assert_eq!(relationships.len(), 1, "{node}");
            assert_eq!(relationships[0]["status"], "ACTIVE", "{node}");
            assert!(!relationships[0]["roles"].as_array().unwrap().is_empty());
        }
    }

    // The events, oldest first: per customer its relationship's, then its own.
    let log = app
        .gql(
            "{ auditLog(first: 100) { edges { node { action targetType } } } }",
            json!({}),
            Some(&w.provider),
        )
        .await;
    let mut actions: Vec<String> = log.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap().to_owned())
        .filter(|a| a == "customer.created" || a == "admin_relationship.approved")
        .collect();
    actions.reverse();
    assert_eq!(
        actions,
        vec![
            "admin_relationship.approved",
            "customer.created",
            "customer.created",
            "admin_relationship.approved",
            "customer.created",
        ]
    );
    let created = customer::Entity::find()
        .order_by_asc(customer::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    let in_order: Vec<&str> = created.iter().map(|c| c.domain.as_str()).collect();
    assert_eq!(
        in_order,
        ["alpine.example", "coho.example", "datum.example"]
    );

    // Two spellings of one domain in one batch: the file sees two customers, the database
    // one. The batch is refused as a whole; one by one, the first is created and the
    // second is DOMAIN_TAKEN, and the batch's other customer is kept.
    let book = file(&[
        line("Gamma", "gamma.example", "", &o.basic, 1, ""),
        format!(
            "Gamma Again,gamma.example.,US,1 Main St,,Seattle,98101,Ana Bill,billing@gamma.example,,en-US,,{},1,",
            o.basic
        ),
        line("Echo", "echo.example", &w.reseller_id, &o.basic, 1, ""),
    ]);
    let id = queued(
        &app,
        &w.provider,
        book,
        json!({ "idempotencyKey": "spellings" }),
    )
    .await;
    let import = finished(&app, &w.provider, &id).await;
    assert_eq!(import["status"], "PARTIALLY_SUCCEEDED", "{import}");
    assert_eq!(
        errors(&import),
        vec![(
            1,
            "DOMAIN_TAKEN".to_owned(),
            vec!["rows".to_owned(), "1".to_owned(), "domain".to_owned()]
        )]
    );
    let all = domains(&app, &w.provider).await;
    assert_eq!(
        all,
        [
            "alpine.example",
            "coho.example",
            "datum.example",
            "echo.example",
            "gamma.example"
        ]
    );
}
e2e!(a_batch_writes_what_create_customer_writes);

/// The largest batch there can be (`IMPORTS__BATCH_ROWS` above the cap is 1,000): a
/// thousand delegated customers, each with its relationship and two audit entries, in one
/// batch. Its statements stay within SQLite's 32,766 parameters (the audit entries, 22,000,
/// are the largest) and PostgreSQL's 65,535.
async fn largest_batch(backend: Backend) {
    let app = e2e::spawn_app_with(backend, |s| s.imports.batch_rows = 50_000).await;
    let w = world(&app).await;
    let o = offers(&app, &w).await;
    let lines: Vec<String> = (0..1_000)
        .map(|i| {
            line(
                &format!("Customer {i}"),
                &format!("c{i}.example"),
                &w.reseller_id,
                &o.basic,
                1,
                &w.reseller_id,
            )
        })
        .collect();
    let id = queued(
        &app,
        &w.provider,
        file(&lines),
        json!({ "idempotencyKey": "big" }),
    )
    .await;
    let import = finished(&app, &w.provider, &id).await;
    assert_eq!(import["status"], "SUCCEEDED", "{import}");
    assert_eq!(import["succeeded"], 1_000);
    assert_eq!(
        customer::Entity::find().count(&app.db).await.unwrap(),
        1_000
    );
    assert_eq!(
        order_line::Entity::find().count(&app.db).await.unwrap(),
        1_000
    );
    // One batch: one progress event before the end.
    let log = app
        .gql(
            "{ auditLog(first: 100, filter: {action: \"customer_import.progress\"}) { totalCount } }",
            json!({}),
            Some(&w.provider),
        )
        .await;
    assert_eq!(log.data()["auditLog"]["totalCount"], 1, "{:?}", log.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_largest_batch_fits_one_statement_per_table_sqlite() {
    largest_batch(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_largest_batch_fits_one_statement_per_table_postgres() {
    largest_batch(Backend::Postgres).await;
}
