//! The partnership lists (`indirectResellers`, `indirectProviders`): every field of the
//! shape with both parties, nulls and escapes, aliases and fragments, paging both ways,
//! each kind of viewer, and what the plan leaves to the general path, each answered alike
//! with and without plans.

use super::{Pair, pair, partner_row};
use chrono::{TimeZone, Utc};
use e2e::{TestApp, e2e};
use entity::enums::{EnrollmentStatus, PartnerKind, PartnershipStatus};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

const PARTNER: &str = "__typename id kind companyName country partnerNetworkId \
    enrollmentStatus createdAt approvedAt mfaRequired";

fn every_field(root: &str) -> String {
    format!(
        "query Every($n: Int) {{ {root}(first: $n) {{ __typename totalCount
          pageInfo {{ __typename hasPreviousPage hasNextPage startCursor endCursor }}
          edges {{ __typename cursor node {{ __typename id status createdAt endedAt
            provider {{ {PARTNER} }} reseller {{ {PARTNER} }} }} }}
          nodes {{ id status reseller {{ companyName }} }} }} }}"
    )
}

const FORWARD: &str = "query($n: Int!, $after: String, $before: String) {
  indirectResellers(first: $n, after: $after, before: $before) { totalCount
    pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
    edges { cursor node { id status reseller { id companyName } } } } }";

const BACKWARD: &str = "query($n: Int = 2, $after: String, $before: String) {
  indirectResellers(last: $n, after: $after, before: $before) {
    pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
    edges { cursor node { id endedAt } } } }";

const ALIASED: &str = "query Aliased { mine: indirectResellers(first: 4) {
    n: totalCount
    edges { node { ...P state: status ... on Partnership { id } ... { theId: id } } }
    info: pageInfo { end: endCursor } }
  t: __typename }
  fragment P on Partnership { id who: reseller { ...R } reseller { country } }
  fragment R on Partner { name: companyName id }";

/// Resellers of the first provider straight into the database (names that need escaping,
/// never approved, a second factor required), half of the partnerships ended; and a
/// partnership of the second provider with Fabrikam.
async fn seed(p: &Pair) {
    // Straight from the database: a query would charge one server's budget, not the other's.
    let app = &p.direct;
    let provider = partner_named(app, "Contoso Distribution").await;
    let other = partner_named(app, "Tailspin Toys").await;
    let fabrikam = partner_row(&p.world.reseller_id);
    let at = Utc.with_ymd_and_hms(2026, 4, 1, 8, 0, 0).unwrap() + chrono::Duration::microseconds(7);
    for i in 0..7 {
        let reseller = entity::partner::ActiveModel {
            kind: Set(PartnerKind::IndirectReseller),
            company_name: Set(match i % 3 {
                0 => format!("Reseller {i}"),
                1 => format!("Quote \"{i}\" \\ </script> 台灣 🚀\n"),
                _ => format!("\u{2} control {i}"),
            }),
            country: Set(if i % 2 == 0 { "TW" } else { "US" }.into()),
            partner_network_id: Set(format!("{:07}", 9_100_000 + i)),
            enrollment_status: Set(if i == 5 {
                EnrollmentStatus::Suspended
            } else {
                EnrollmentStatus::Active
            }),
            created_at: Set(at),
            approved_at: Set((i % 2 == 0).then_some(at + chrono::Duration::days(1))),
            mfa_required: Set(i == 4),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        partnership(app, provider, reseller.id, i % 2 == 1, at).await;
    }
    partnership(app, other, fabrikam, false, at).await;
}

async fn partner_named(app: &TestApp, name: &str) -> i32 {
    entity::partner::Entity::find()
        .filter(entity::partner::Column::CompanyName.eq(name))
        .one(&app.db)
        .await
        .unwrap()
        .expect("seeded partner")
        .id
}

async fn partnership(
    app: &TestApp,
    provider: i32,
    reseller: i32,
    ended: bool,
    at: chrono::DateTime<Utc>,
) {
    entity::partnership::ActiveModel {
        provider_id: Set(provider),
        reseller_id: Set(reseller),
        status: Set(if ended {
            PartnershipStatus::Ended
        } else {
            PartnershipStatus::Active
        }),
        invitation_id: Set(None),
        created_at: Set(at + chrono::Duration::minutes(i64::from(reseller))),
        ended_at: Set(ended.then_some(at + chrono::Duration::days(30))),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
}

e2e!(partnership_lists_answer_byte_for_byte);
async fn partnership_lists_answer_byte_for_byte(app: TestApp) {
    let p = pair(app).await;
    seed(&p).await;
    let provider = Some(p.world.provider.as_str());
    let every = p
        .same(
            &every_field("indirectResellers"),
            json!({ "n": 20 }),
            provider,
            true,
        )
        .await;
    let list = &every["data"]["indirectResellers"];
    assert_eq!(
        list["totalCount"], 8,
        "Fabrikam and the seven seeded: {every}"
    );
    let edges = list["edges"].as_array().unwrap();
    assert!(edges.iter().any(|e| e["node"]["endedAt"].is_null()));
    assert!(edges.iter().any(|e| e["node"]["status"] == "ENDED"));
    assert!(
        edges
            .iter()
            .any(|e| e["node"]["reseller"]["approvedAt"].is_null())
    );
    assert!(
        edges
            .iter()
            .any(|e| e["node"]["reseller"]["mfaRequired"] == true)
    );
    p.same(
        &every_field("indirectResellers"),
        json!({ "n": 3 }),
        provider,
        true,
    )
    .await;
    p.same(ALIASED, json!({}), provider, true).await;
    // The reseller's side: both its providers.
    let fabrikam = p
        .same(
            &every_field("indirectProviders"),
            json!({ "n": 5 }),
            Some(&p.world.reseller),
            true,
        )
        .await;
    assert_eq!(
        fabrikam["data"]["indirectProviders"]["totalCount"], 2,
        "{fabrikam}"
    );
    // A reseller with no partnership, and the other provider (one, Fabrikam).
    let none = p
        .same(
            &every_field("indirectProviders"),
            json!({ "n": 5 }),
            Some(&p.world.outsider_reseller),
            true,
        )
        .await;
    assert_eq!(none["data"]["indirectProviders"]["totalCount"], 0, "{none}");
    let other = p
        .same(
            &every_field("indirectResellers"),
            json!({ "n": 5 }),
            Some(&p.other_provider),
            true,
        )
        .await;
    assert_eq!(
        other["data"]["indirectResellers"]["totalCount"], 1,
        "{other}"
    );
    pages_both_ways(&p).await;
    left_to_the_general_path(&p).await;
}

/// Forwards by 3 to the end, back by 2 to the start, windows between two cursors, and
/// the first provider's cursor in the second provider's hands.
async fn pages_both_ways(p: &Pair) {
    let provider = Some(p.world.provider.as_str());
    let windows = [(1, 6), (0, 1), (2, 7)];
    let cursors = p
        .walk(("indirectResellers", FORWARD, BACKWARD), provider, &windows)
        .await;
    assert_eq!(cursors.len(), 8);
    let foreign = p
        .same(
            FORWARD,
            json!({ "n": 5, "after": cursors[0] }),
            Some(&p.other_provider),
            true,
        )
        .await;
    let names: Vec<&str> = foreign["data"]["indirectResellers"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["reseller"]["companyName"].as_str().unwrap())
        .collect();
    assert!(
        names.iter().all(|n| *n == "Fabrikam Solutions"),
        "only the other provider's own: {names:?}"
    );
}

/// Errors and shapes the plan does not cover: the general path answers, as before.
async fn left_to_the_general_path(p: &Pair) {
    let w = &p.world;
    let provider = Some(w.provider.as_str());
    let list = every_field("indirectResellers");
    for (query, variables, token) in [
        (list.as_str(), json!({ "n": 101 }), provider),
        (list.as_str(), json!({ "n": "ten" }), provider),
        ("{ indirectResellers { totalCount } }", json!({}), provider),
        (
            "{ indirectResellers(first: 2, after: \"bogus\") { totalCount } }",
            json!({}),
            provider,
        ),
        // The wrong side, signed out, a platform administrator, a customer's admin.
        (list.as_str(), json!({ "n": 2 }), Some(w.reseller.as_str())),
        (list.as_str(), json!({ "n": 2 }), None),
        (list.as_str(), json!({ "n": 2 }), Some(p.platform.as_str())),
        (list.as_str(), json!({ "n": 2 }), Some(p.customer.as_str())),
        (
            list.as_str(),
            json!({ "n": 2 }),
            Some(p.customer_temporary.as_str()),
        ),
    ] {
        let answer = p.same(query, variables, token, false).await;
        assert!(answer["errors"].is_array(), "{answer}");
    }
    for query in [
        // Not the plan's shape: a filter, the partnership's computed fields, a partner's
        // users, a field the type does not have.
        "{ indirectResellers(first: 2, filter: {status: ACTIVE}) { totalCount } }",
        "{ indirectResellers(first: 2) { nodes { usage { customers } } } }",
        "{ indirectResellers(first: 2) { nodes { margin(month: \"2026-04\") { difference { amountMinor } } } } }",
        // One item: the general path orders the errors of list items as they finish.
        "{ indirectResellers(first: 1) { nodes { reseller { users(first: 1) { totalCount } } } } }",
        "{ indirectResellers(first: 2) { nodes { nope } } }",
    ] {
        p.same(query, json!({}), provider, false).await;
    }
}
