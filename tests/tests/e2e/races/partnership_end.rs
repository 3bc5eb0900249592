//! Ending a partnership while it is being used (issue 11, item 4): `endPartnership` raced
//! against `createCustomer` for that reseller, and against a second `endPartnership`. The
//! promise of `PARTNERSHIP_IN_USE` is that nothing is ever left served through an ENDED
//! partnership; of two ends, one ends it.

use super::{
    END, Partnered, assert_nothing_served_through_ended, partnered_resellers, refusal, succeeded,
};
use crate::customers::{CREATE, customer_input, offer_id};
use e2e::{Gql, TestApp};
use serde_json::json;
use std::future::Future;

/// What the race is against: the mutation's field, the object it answers on success, and
/// the user error it answers when the partnership ended first.
pub struct Rival {
    pub field: &'static str,
    pub object: &'static str,
    pub refused_with: &'static str,
}

/// One round per reseller: the reseller's ADMIN ends the partnership while `rival` uses it,
/// both sent at once. Exactly one of them succeeds, the other is refused with the rule
/// that names the winner, and the provider sees nothing served through an ENDED
/// partnership after the round (checked every round: a later round may overwrite what an
/// earlier one left, e.g. a subscription's partner of record).
pub async fn race_end_against<F, Fut>(
    app: &TestApp,
    provider: &str,
    resellers: &[Partnered],
    rival: Rival,
    act: F,
) where
    F: Fn(usize, &Partnered) -> Fut,
    Fut: Future<Output = Gql>,
{
    let (mut ended, mut used) = (0, 0);
    for (round, p) in resellers.iter().enumerate() {
        let (end, other) = tokio::join!(
            app.gql(END, json!({ "id": p.partnership_id }), Some(&p.reseller)),
            act(round, p),
        );
        let end_ok = succeeded(&end, "endPartnership", "partnership");
        let other_ok = succeeded(&other, rival.field, rival.object);
        assert!(
            !(end_ok && other_ok),
            "round {round}: endPartnership and {} both succeeded: {} / {}",
            rival.field,
            end.body,
            other.body
        );
        if end_ok {
            ended += 1;
            assert_eq!(
                refusal(&other, rival.field),
                rival.refused_with,
                "round {round}: {}",
                other.body
            );
        } else {
            used += 1;
            assert!(
                other_ok,
                "round {round}: neither succeeded: {} / {}",
                end.body, other.body
            );
            assert_eq!(
                refusal(&end, "endPartnership"),
                "PARTNERSHIP_IN_USE",
                "round {round}"
            );
        }
        assert_nothing_served_through_ended(app, provider).await;
    }
    assert_eq!(ended + used, resellers.len());
}

/// Before the fix the reseller ending its partnership while the provider created a customer
/// for it left a customer delegated through an ENDED partnership in 15 of 15 tries: the
/// end counted the reseller's customers before the creation committed, and the creation
/// checked the partnership before the end committed. Now the creation share-locks the
/// partnership in its transaction and the end locks it for update before counting.
async fn end_partnership_vs_create_customer(app: TestApp) {
    let admin = app.platform_admin_token().await;
    let (_, provider) =
        super::active_partner(&app, &admin, "INDIRECT_PROVIDER", "admin@contoso.test").await;
    let resellers = partnered_resellers(&app, &admin, &provider, "onboard", 15).await;
    let basic = offer_id(&app, &provider, "M365-BUSINESS-BASIC").await;
    let rival = Rival {
        field: "createCustomer",
        object: "customer",
        refused_with: "RESELLER_NOT_PARTNER",
    };
    race_end_against(&app, &provider, &resellers, rival, |round, p| {
        let domain = format!("customer-{round}.example");
        let lines =
            json!([{ "offerId": basic, "quantity": 3, "partnerOfRecordId": p.reseller_id }]);
        let input = customer_input(&domain, Some(&p.reseller_id), lines, &domain);
        app.gql(CREATE, json!({ "input": input }), Some(&provider))
    })
    .await;
}
races!(end_partnership_vs_create_customer);

/// Before the fix `endPartnership` read the partnership, checked it was ACTIVE and then
/// wrote ENDED unconditionally: two concurrent ends (one from each side) both succeeded and
/// both wrote a `partnership.ended` audit entry. Now the row is locked for update first:
/// one ends it, the other answers INVALID_STATE, and the log has one entry.
async fn concurrent_ends_end_once(app: TestApp) {
    let admin = app.platform_admin_token().await;
    let (_, provider) =
        super::active_partner(&app, &admin, "INDIRECT_PROVIDER", "admin@contoso.test").await;
    let resellers = partnered_resellers(&app, &admin, &provider, "twice", 10).await;
    for (round, p) in resellers.iter().enumerate() {
        let (a, b) = tokio::join!(
            app.gql(END, json!({ "id": p.partnership_id }), Some(&provider)),
            app.gql(END, json!({ "id": p.partnership_id }), Some(&p.reseller)),
        );
        let wins = [&a, &b]
            .iter()
            .filter(|r| succeeded(r, "endPartnership", "partnership"))
            .count();
        assert_eq!(wins, 1, "round {round}: {} / {}", a.body, b.body);
        let loser = if succeeded(&a, "endPartnership", "partnership") {
            &b
        } else {
            &a
        };
        assert_eq!(
            refusal(loser, "endPartnership"),
            "INVALID_STATE",
            "round {round}: {}",
            loser.body
        );
        let log = app
            .gql(
                "query($id: ID!) { auditLog(first: 10, filter: {action: \"partnership.ended\", targetId: $id}) { totalCount } }",
                json!({ "id": p.partnership_id }),
                Some(&provider),
            )
            .await;
        assert_eq!(
            log.data()["auditLog"]["totalCount"],
            1,
            "round {round}: one end, one audit entry"
        );
    }
}
races!(concurrent_ends_end_once);
