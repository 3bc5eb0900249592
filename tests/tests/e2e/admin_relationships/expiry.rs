//! The worker's side: relationships past their end (or not approved in time) become
//! EXPIRED exactly once however many workers run the pass; auto-extending ones get 180
//! days; the parties hear 30 and 7 days before an end that will not extend.

use super::*;
use chrono::{Duration, Utc};
use e2e::e2e;
use entity::admin_relationship::{Column, Entity};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

async fn set_end(app: &TestApp, id: &str, ends: chrono::DateTime<Utc>) {
    Entity::update_many()
        .col_expr(Column::EndsAt, Expr::value(Some(ends)))
        .filter(Column::Id.eq(raw_id(id)))
        .exec(&app.db)
        .await
        .unwrap();
}

async fn count(app: &TestApp, action: &str) -> u64 {
    entity::audit_entry::Entity::find()
        .filter(entity::audit_entry::Column::Action.eq(action))
        .count(&app.db)
        .await
        .unwrap()
}

async fn several_workers_expire_each_relationship_once(app: TestApp) {
    let w = world(&app).await;
    let (customer_id, admin, _) = customer(&app, &w, "expiry.example", None, None).await;
    let mut due = Vec::new();
    for _ in 0..5 {
        let id = delegate_active(&app, &w, &admin, &customer_id, json!(["ORDER_MANAGER"])).await;
        set_end(&app, &id, Utc::now() - Duration::hours(1)).await;
        due.push(id);
    }
    // One never approved within its 30 days.
    let (pending, _) = delegate(
        &app,
        &w.provider,
        &customer_id,
        &w.reseller_id,
        json!(["ORDER_MANAGER"]),
        10,
    )
    .await;
    Entity::update_many()
        .col_expr(
            Column::ApprovalExpiresAt,
            Expr::value(Utc::now() - Duration::minutes(1)),
        )
        .filter(Column::Id.eq(raw_id(&pending)))
        .exec(&app.db)
        .await
        .unwrap();
    // One still running, one auto-extending past its end.
    let running = delegate_active(&app, &w, &admin, &customer_id, json!(["ORDER_MANAGER"])).await;
    let extending = delegate_active(&app, &w, &admin, &customer_id, json!(["ORDER_MANAGER"])).await;
    app.gql("mutation($id: ID!) { updateAdminRelationship(input: {relationshipId: $id, autoExtend: true}) { relationship { autoExtend } userErrors { code } } }", json!({ "id": extending }), Some(&w.provider))
        .await;
    let old_end = Utc::now() - Duration::minutes(5);
    set_end(&app, &extending, old_end).await;

    let now = Utc::now();
    let runs =
        futures::future::join_all((0..4).map(|_| worker::delegation::expiry::expire(&app.db, now)))
            .await;
    let total: u64 = runs.into_iter().map(Result::unwrap).sum();
    assert_eq!(total, 6, "five ended and one unapproved, once");
    assert_eq!(count(&app, "admin_relationship.expired").await, 6);
    for id in due.iter().chain([&pending]) {
        assert_eq!(entries(&app, "admin_relationship.expired", id).await, 1);
        let row = Entity::find_by_id(raw_id(id))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.status, entity::enums::AdminRelationshipStatus::Expired);
    }
    let row = Entity::find_by_id(raw_id(&running))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, entity::enums::AdminRelationshipStatus::Active);

    let extended: u64 =
        futures::future::join_all((0..3).map(|_| worker::delegation::expiry::extend(&app.db, now)))
            .await
            .into_iter()
            .map(Result::unwrap)
            .sum();
    assert_eq!(extended, 1);
    assert_eq!(
        entries(&app, "admin_relationship.extended", &extending).await,
        1
    );
    let row = Entity::find_by_id(raw_id(&extending))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let new_end = row.ends_at.unwrap();
    assert!(
        new_end > now && new_end <= old_end + Duration::days(181),
        "{new_end}"
    );
}
e2e!(several_workers_expire_each_relationship_once);

async fn parties_hear_before_an_end_that_will_not_extend(app: TestApp) {
    let w = world(&app).await;
    let (customer_id, admin, _) = customer(&app, &w, "remind.example", None, None).await;
    let id = delegate_active(&app, &w, &admin, &customer_id, json!(["ORDER_MANAGER"])).await;
    set_end(&app, &id, Utc::now() + Duration::days(20)).await;
    let emails = || async {
        entity::outbound_email::Entity::find()
            .filter(entity::outbound_email::Column::Kind.eq("ADMIN_RELATIONSHIP_EXPIRING"))
            .all(&app.db)
            .await
            .unwrap()
    };
    let now = Utc::now();
    let (first, _) = worker::delegation::reminders::remind(&app.db, now, 30_000)
        .await
        .unwrap();
    assert_eq!(first, 1);
    let sent = emails().await;
    let mut to: Vec<String> = sent.iter().map(|e| e.to_address.clone()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "admin@contoso.test",
            "admin@fabrikam.test",
            "admin@remind.example"
        ]
    );
    assert!(sent[0].subject.contains("20"), "{}", sent[0].subject);
    // Once per threshold.
    let (again, _) = worker::delegation::reminders::remind(&app.db, now, 30_000)
        .await
        .unwrap();
    assert_eq!(again, 0);
    // Seven days before: the second reminder.
    set_end(&app, &id, Utc::now() + Duration::days(5)).await;
    let (last, _) = worker::delegation::reminders::remind(&app.db, now, 30_000)
        .await
        .unwrap();
    assert_eq!(last, 1);
    assert_eq!(entries(&app, "admin_relationship.expiring", &id).await, 2);
    assert_eq!(emails().await.len(), 6);
}
e2e!(parties_hear_before_an_end_that_will_not_extend);
