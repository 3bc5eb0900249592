//! The two error policies, the dry run, duplicate domains, and a re-upload with the same
//! key.

use super::*;
use crate::customers::{customer_input, world};
use e2e::e2e;

/// Six rows: a customer of two lines (Fabrikam delegated, partner of record), a bad
/// quantity, a good customer, the first domain again after other customers, and a
/// reseller that is no partner of the provider.
fn mixed(w: &World, o: &Offers) -> Vec<u8> {
    file(&[
        line(
            "Alpine Ski",
            "alpine.example",
            &w.reseller_id,
            &o.basic,
            5,
            "",
        ),
        line("", "alpine.example", "", &o.entra, 2, &w.reseller_id),
        line("Blue Yonder", "blueyonder.example", "", &o.basic, 0, ""),
        line("Coho Winery", "coho.example", "", &o.basic, 3, ""),
        line("Alpine Again", "alpine.example", "", &o.basic, 1, ""),
        line(
            "Datum",
            "datum.example",
            &w.outsider_reseller_id,
            &o.basic,
            1,
            "",
        ),
    ])
}

fn expected_errors() -> Vec<(i64, String, Vec<String>)> {
    let at = |i: i64, code: &str, column: &str| {
        (
            i,
            code.to_owned(),
            vec!["rows".to_owned(), i.to_string(), column.to_owned()],
        )
    };
    vec![
        at(2, "OUT_OF_RANGE", "quantity"),
        at(4, "DOMAIN_TAKEN", "domain"),
        at(5, "RESELLER_NOT_PARTNER", "indirect_reseller_id"),
    ]
}

async fn reject_failed_rows_creates_the_good_customers(app: e2e::TestApp) {
    let w = world(&app).await;
    let o = offers(&app, &w).await;
    let id = queued(
        &app,
        &w.provider,
        mixed(&w, &o),
        json!({ "idempotencyKey": "book-1" }),
    )
    .await;
    let import = finished(&app, &w.provider, &id).await;
    assert_eq!(import["status"], "PARTIALLY_SUCCEEDED", "{import}");
    assert_eq!(
        (import["totalRows"].as_i64(), import["processed"].as_i64()),
        (Some(6), Some(6))
    );
    assert_eq!(
        (import["succeeded"].as_i64(), import["failed"].as_i64()),
        (Some(3), Some(3))
    );
    assert_eq!(errors(&import), expected_errors());
    // The customer of two lines: one customer, delegated, with both subscriptions.
    let rows = import["rows"]["edges"].as_array().unwrap();
    let alpine = &rows[0]["node"]["customer"];
    assert_eq!(alpine["domain"], "alpine.example");
    assert_eq!(
        alpine["indirectReseller"]["companyName"],
        "Fabrikam Solutions"
    );
    assert_eq!(alpine["subscriptions"].as_array().unwrap().len(), 2);
    assert_eq!(rows[1]["node"]["customer"]["domain"], "alpine.example");
    assert_eq!(rows[1]["node"]["line"], 3);
    assert!(rows[2]["node"]["customer"].is_null());
    assert_eq!(
        domains(&app, &w.provider).await,
        vec!["alpine.example", "coho.example"]
    );
    assert!(import["credentialsAvailable"].as_bool().unwrap());
    // The events: progress, then the end, in the one log.
    let log = app
        .gql(
            "{ auditLog(first: 100) { edges { node { action } } } }",
            json!({}),
            Some(&w.provider),
        )
        .await;
    let actions = log.data().to_string();
    assert!(
        actions.contains("customer_import.progress")
            || actions.contains("CUSTOMER_IMPORT_PROGRESS"),
        "{actions}"
    );
    assert!(
        actions.contains("customer_import.finished")
            || actions.contains("CUSTOMER_IMPORT_FINISHED"),
        "{actions}"
    );
}
e2e!(reject_failed_rows_creates_the_good_customers);

async fn reject_everything_creates_nothing_when_a_row_fails(app: e2e::TestApp) {
    let w = world(&app).await;
    let o = offers(&app, &w).await;
    let input = json!({ "idempotencyKey": "all-or-nothing", "errorPolicy": "REJECT_EVERYTHING" });
    let id = queued(&app, &w.provider, mixed(&w, &o), input).await;
    let import = finished(&app, &w.provider, &id).await;
    assert_eq!(import["status"], "FAILED", "{import}");
    assert_eq!(
        (import["succeeded"].as_i64(), import["failed"].as_i64()),
        (Some(0), Some(3))
    );
    assert_eq!(errors(&import), expected_errors());
    assert!(domains(&app, &w.provider).await.is_empty());
    assert_eq!(import["credentialsAvailable"], false);

    // A good file under the same policy: all of it.
    let good = file(&[
        line(
            "Alpine Ski",
            "alpine.example",
            &w.reseller_id,
            &o.basic,
            5,
            "",
        ),
        line("Coho Winery", "coho.example", "", &o.entra, 3, ""),
    ]);
    let input = json!({ "idempotencyKey": "all-good", "errorPolicy": "REJECT_EVERYTHING" });
    let id = queued(&app, &w.provider, good, input).await;
    let import = finished(&app, &w.provider, &id).await;
    assert_eq!(import["status"], "SUCCEEDED", "{import}");
    assert_eq!(import["succeeded"], 2);
    assert_eq!(
        domains(&app, &w.provider).await,
        vec!["alpine.example", "coho.example"]
    );
}
e2e!(reject_everything_creates_nothing_when_a_row_fails);

async fn a_dry_run_checks_against_the_database_and_writes_nothing(app: e2e::TestApp) {
    let w = world(&app).await;
    let o = offers(&app, &w).await;
    // A customer that exists already: its domain is taken for the import.
    let lines = json!([{ "offerId": o.basic, "quantity": 1 }]);
    let res = app
        .gql(
            crate::customers::CREATE,
            json!({ "input": customer_input("coho.example", None, lines, "k1") }),
            Some(&w.provider),
        )
        .await;
    assert_eq!(res.data()["createCustomer"]["userErrors"], json!([]));
    let bytes = file(&[
        line(
            "Alpine Ski",
            "alpine.example",
            &w.reseller_id,
            &o.basic,
            5,
            "",
        ),
        line("Coho Winery", "coho.example", "", &o.basic, 3, ""),
    ]);
    let input = json!({ "idempotencyKey": "dry", "dryRun": true });
    let id = queued(&app, &w.provider, bytes, input).await;
    let import = finished(&app, &w.provider, &id).await;
    assert_eq!(import["status"], "VALIDATED", "{import}");
    assert_eq!(import["dryRun"], true);
    assert_eq!(
        (import["succeeded"].as_i64(), import["failed"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        errors(&import),
        vec![(
            1,
            "DOMAIN_TAKEN".to_owned(),
            vec!["rows".into(), "1".into(), "domain".into()]
        )]
    );
    assert_eq!(domains(&app, &w.provider).await, vec!["coho.example"]);
    assert_eq!(import["credentialsAvailable"], false);
    assert!(import["rows"]["edges"][0]["node"]["customer"].is_null());
}
e2e!(a_dry_run_checks_against_the_database_and_writes_nothing);

async fn the_same_key_answers_the_first_import_and_json_rows_work(app: e2e::TestApp) {
    let w = world(&app).await;
    let o = offers(&app, &w).await;
    let rows = json!([
        { "companyName": "Alpine Ski", "domain": "alpine.example", "country": "US",
          "addressLine1": "1 Main St", "city": "Seattle", "postalCode": "98101",
          "billingContactName": "Ana Bill", "billingContactEmail": "ana@alpine.example",
          "indirectResellerId": w.reseller_id, "offerId": o.basic, "quantity": 4 }
    ]);
    let input = json!({ "idempotencyKey": "json-1", "rows": rows });
    let res = app
        .gql(IMPORT, json!({ "input": input }), Some(&w.provider))
        .await;
    let first = res.data()["importCustomers"]["import"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(res.data()["importCustomers"]["import"]["status"], "QUEUED");
    let again = app
        .gql(IMPORT, json!({ "input": input }), Some(&w.provider))
        .await;
    assert_eq!(
        again.data()["importCustomers"]["import"]["id"],
        first.as_str()
    );
    let import = finished(&app, &w.provider, &first).await;
    assert_eq!(import["status"], "SUCCEEDED", "{import}");
    assert_eq!(import["rows"]["edges"][0]["node"]["line"], 2);
    // The re-upload made no second import.
    assert_eq!(import_count(&app, &w.provider).await, 1);
    assert_eq!(domains(&app, &w.provider).await, vec!["alpine.example"]);
    // Both file and rows, or neither: refused.
    let neither = app
        .gql(
            IMPORT,
            json!({ "input": { "idempotencyKey": "none" } }),
            Some(&w.provider),
        )
        .await;
    assert_eq!(
        neither.data()["importCustomers"]["userErrors"][0]["code"],
        "INVALID"
    );
}
e2e!(the_same_key_answers_the_first_import_and_json_rows_work);
