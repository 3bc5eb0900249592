//! Organization ids cannot be probed through the fields that name a reseller (issue 20,
//! item 19). `requestCustomerResellerRelationship` answered an id no organization has with
//! `NOT_FOUND` and any other non-partner with `RESELLER_NOT_PARTNER`, so a provider could
//! list every organization id. Now every such field answers an unknown id exactly like a
//! reseller that exists but is not the caller's ACTIVE partner: same status, same body.

use crate::customers::{CREATE, customer_input, fourth_coffee, offer_id, world};
use e2e::{TestApp, e2e};
use entity::audit_entry::global_id;
use serde_json::{Value, json};

/// The variables of one attempt: its number and the reseller id to name.
type Variables<'a> = Box<dyn Fn(usize, &str) -> Value + 'a>;

/// `provider` and the reseller signed in as `reseller` become partners through a real
/// invitation; returns the partnership id.
async fn partner(app: &TestApp, provider: &str, reseller_email: &str, reseller: &str) -> String {
    let res = app
        .gql(
            "mutation($e: String!) { requestPartnership(input: {resellerEmail: $e, draftOnly: true}) { link } }",
            json!({ "e": reseller_email }),
            Some(provider),
        )
        .await;
    let link = res.data()["requestPartnership"]["link"].as_str().unwrap();
    let token = link.split("token=").nth(1).unwrap();
    let accepted = app
        .gql(
            "mutation($t: String!) { acceptPartnershipInvitation(input: {token: $t}) { partnership { id } } }",
            json!({ "t": token }),
            Some(reseller),
        )
        .await;
    accepted.data()["acceptPartnershipInvitation"]["partnership"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Answers to `query` for each id, as the client receives them; all must be the same.
async fn same_answer_for_all(
    app: &TestApp,
    token: &str,
    what: &str,
    query: &str,
    strangers: &[(&str, String)],
    variables: impl Fn(usize, &str) -> Value,
) -> Value {
    let mut first: Option<(u16, String)> = None;
    let mut body = Value::Null;
    for (i, (kind, id)) in strangers.iter().enumerate() {
        let res = app.gql(query, variables(i, id), Some(token)).await;
        let answer = (res.status, res.body.to_string());
        match &first {
            None => first = Some(answer),
            Some(expected) => assert_eq!(&answer, expected, "{what}: {kind} answers otherwise"),
        }
        body = res.body;
    }
    body
}

async fn reseller_ids_answer_alike_whether_or_not_they_exist(app: TestApp) {
    let w = world(&app).await;
    let created = fourth_coffee(&app, &w).await;
    let customer = created["customer"]["id"].as_str().unwrap().to_owned();
    let subscription = created["customer"]["subscriptions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let basic = offer_id(&app, &w.provider, "M365-BUSINESS-BASIC").await;

    // Every kind of id that is not an ACTIVE partner of Contoso.
    let (litware_id, litware) = app
        .active_partner("INDIRECT_PROVIDER", "Litware", "admin@litware.test")
        .await;
    let (adatum_id, adatum) = app
        .active_partner("INDIRECT_RESELLER", "Adatum", "admin@adatum.test")
        .await;
    partner(&app, &litware, "admin@adatum.test", &adatum).await;
    let (former_id, former) = app
        .active_partner("INDIRECT_RESELLER", "Tailspin", "admin@tailspin.test")
        .await;
    let ended = partner(&app, &w.provider, "admin@tailspin.test", &former).await;
    let end = app
        .gql(
            "mutation($id: ID!) { endPartnership(input: {partnershipId: $id}) { partnership { status } } }",
            json!({ "id": ended }),
            Some(&w.provider),
        )
        .await;
    assert_eq!(
        end.data()["endPartnership"]["partnership"]["status"],
        "ENDED"
    );
    let (pending_id, _) = app
        .enroll("INDIRECT_RESELLER", "Pending IT", "admin@pending.test")
        .await;
    let strangers = [
        ("an id no organization has", global_id("Partner", 999_999)),
        ("another provider's partner", adatum_id),
        ("a reseller with no partner", w.outsider_reseller_id.clone()),
        ("a former partner", former_id),
        ("a reseller not approved yet", pending_id),
        ("another provider", litware_id),
    ];

    let relationship = same_answer_for_all(
        &app,
        &w.provider,
        "requestCustomerResellerRelationship",
        "mutation($c: ID!, $r: ID!) { requestCustomerResellerRelationship(input: {customerId: $c, indirectResellerId: $r}) {
          link request { id } userErrors { code field message } } }",
        &strangers,
        |_, id| json!({ "c": customer, "r": id }),
    )
    .await;
    assert_eq!(
        relationship["data"]["requestCustomerResellerRelationship"]["userErrors"],
        json!([{
            "code": "RESELLER_NOT_PARTNER",
            "field": ["input", "indirectResellerId"],
            "message": relationship["data"]["requestCustomerResellerRelationship"]["userErrors"][0]["message"]
        }]),
        "{relationship}"
    );

    // The other fields that name a reseller already answered alike; they stay so.
    let create = CREATE;
    let line = |reseller: Option<&str>| json!([{ "offerId": basic, "quantity": 1, "partnerOfRecordId": reseller }]);
    let cases: Vec<(&str, &str, Variables)> = vec![
        (
            "createCustomer's indirectResellerId",
            create,
            Box::new(
                |i, id| json!({ "input": customer_input("probe.example", Some(id), line(None), &format!("probe-a{i}")) }),
            ),
        ),
        (
            "createCustomer's partnerOfRecordId",
            create,
            Box::new(
                |i, id| json!({ "input": customer_input("probe.example", None, line(Some(id)), &format!("probe-b{i}")) }),
            ),
        ),
        (
            "placeOrder's partnerOfRecordId",
            "mutation($c: ID!, $l: [PlaceOrderLineInput!]!) { placeOrder(input: {customerId: $c, lines: $l}) { order { id } userErrors { code field message } } }",
            Box::new(|_, id| json!({ "c": customer, "l": line(Some(id)) })),
        ),
        (
            "setSubscriptionPartnerOfRecord",
            "mutation($s: ID!, $r: ID) { setSubscriptionPartnerOfRecord(input: {subscriptionId: $s, partnerOfRecordId: $r}) { subscription { id } userErrors { code field message } } }",
            Box::new(|_, id| json!({ "s": subscription, "r": id })),
        ),
        (
            "setSubscriptionSupportContact",
            "mutation($s: ID!, $r: ID) { setSubscriptionSupportContact(input: {subscriptionId: $s, supportContactId: $r}) { subscription { id } userErrors { code field message } } }",
            Box::new(|_, id| json!({ "s": subscription, "r": id })),
        ),
    ];
    for (what, query, variables) in cases {
        let body = same_answer_for_all(&app, &w.provider, what, query, &strangers, variables).await;
        let payload = body["data"].as_object().unwrap().values().next().unwrap();
        assert_eq!(
            payload["userErrors"][0]["code"], "RESELLER_NOT_PARTNER",
            "{what}: {body}"
        );
    }
}
e2e!(reseller_ids_answer_alike_whether_or_not_they_exist);
