//! Races, on both backends (PostgreSQL is where they can interleave; SQLite serializes
//! writers): a termination racing a reseller's write (the write happens before it or is
//! refused, never after), and offboarding racing a new delegation (the delegation is
//! refused, or it is terminated by the offboarding). Two workers expiring the same
//! relationships are in `expiry`.

use super::*;
use crate::races::{Partnered, partnered_resellers, roomy_app};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

macro_rules! roomy {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(super::roomy_app(e2e::Backend::Sqlite).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(super::roomy_app(e2e::Backend::Postgres).await).await;
            }
        }
    };
}

async fn last_entry(app: &TestApp, action: &str, target: &str) -> Option<i32> {
    entity::audit_entry::Entity::find()
        .filter(entity::audit_entry::Column::Action.eq(action))
        .filter(entity::audit_entry::Column::TargetId.eq(target))
        .order_by_desc(entity::audit_entry::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .map(|e| e.id)
}

async fn termination_vs_reseller_write(app: TestApp) {
    let w = world(&app).await;
    let (customer_id, admin, subs) = customer(&app, &w, "race.example", None, None).await;
    let sub = &subs[0];
    let (mut written, mut refused) = (0, 0);
    for round in 0..12 {
        let rel = delegate_active(
            &app,
            &w,
            &admin,
            &customer_id,
            json!(["SUBSCRIPTION_MANAGER"]),
        )
        .await;
        let before = last_entry(&app, "subscription.quantity_changed", sub).await;
        let (write, end) = tokio::join!(
            app.gql(
                QUANTITY,
                json!({ "id": sub, "q": 20 + round }),
                Some(&w.reseller)
            ),
            app.gql(TERMINATE, json!({ "id": rel }), Some(&w.provider)),
        );
        assert_eq!(
            end.data()["terminateAdminRelationship"]["relationship"]["status"],
            "TERMINATED"
        );
        let ended_at = last_entry(&app, "admin_relationship.terminated", &rel)
            .await
            .unwrap();
        if write.body["errors"].is_null() {
            assert_eq!(
                write.data()["updateSubscriptionQuantity"]["subscription"]["quantity"],
                20 + round
            );
            let changed = last_entry(&app, "subscription.quantity_changed", sub)
                .await
                .unwrap();
            assert!(Some(changed) != before);
            assert!(
                changed < ended_at,
                "round {round}: the write was recorded after the termination"
            );
            written += 1;
        } else {
            // Refused: nothing written.
            assert_eq!(write.error_code(), "NOT_FOUND", "{:?}", write.body);
            assert_eq!(
                last_entry(&app, "subscription.quantity_changed", sub).await,
                before
            );
            refused += 1;
        }
    }
    println!(
        "{:?}: written before {written}, refused {refused}",
        app.backend
    );
}
roomy!(termination_vs_reseller_write);

async fn offboarding_vs_new_delegation(app: TestApp) {
    let admin_token = app.platform_admin_token().await;
    let w = world(&app).await;
    let (customer_id, _, _) = customer(&app, &w, "offrace.example", None, None).await;
    let resellers: Vec<Partnered> =
        partnered_resellers(&app, &admin_token, &w.provider, "offrace", 6).await;
    let offboard = "mutation($id: ID!) { offboardReseller(input: {partnershipId: $id}) {
        partnership { status } relationshipsTerminated userErrors { code } } }";
    let (mut refused, mut terminated) = (0, 0);
    for (round, r) in resellers.iter().enumerate() {
        let (created, done) = tokio::join!(
            app.gql(CREATE_REL, json!({ "input": { "customerId": customer_id, "resellerId": r.reseller_id, "roles": ["ORDER_MANAGER"], "durationDays": 30 } }), Some(&w.provider)),
            app.gql(offboard, json!({ "id": r.partnership_id }), Some(&w.provider)),
        );
        let done = &done.data()["offboardReseller"];
        assert_eq!(
            done["partnership"]["status"], "ENDED",
            "round {round}: {done}"
        );
        let created = &created.data()["createAdminRelationship"];
        match created["relationship"]["id"].as_str() {
            None => {
                assert_eq!(created["userErrors"][0]["code"], "RESELLER_NOT_PARTNER");
                assert_eq!(done["relationshipsTerminated"], 0);
                refused += 1;
            }
            Some(id) => {
                let row = entity::admin_relationship::Entity::find_by_id(raw_id(id))
                    .one(&app.db)
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(
                    row.status,
                    entity::enums::AdminRelationshipStatus::Terminated,
                    "round {round}: a delegation outlived the partnership"
                );
                assert_eq!(done["relationshipsTerminated"], 1);
                terminated += 1;
            }
        }
    }
    println!(
        "{:?}: refused {refused}, terminated {terminated}",
        app.backend
    );
}
roomy!(offboarding_vs_new_delegation);
