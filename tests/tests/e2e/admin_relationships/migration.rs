//! The migration of the single designation: each existing `customers.reseller_id` becomes
//! an ACTIVE relationship with the default roles for 730 days, and an Azure tenant owner
//! the TENANT_OWNER role. Run on a database as it was before the migration (the table
//! dropped and the migration forgotten), by a second app starting on it.

use super::*;
use e2e::e2e;
use entity::enums::{AdminRelationshipStatus, AdminRole};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement};

async fn existing_designations_become_relationships(app: TestApp) {
    let w = world(&app).await;
    let (customer_id, _, _) =
        customer(&app, &w, "legacy.example", Some(&w.reseller_id), None).await;
    let (direct_id, _, _) = customer(&app, &w, "direct.example", None, None).await;
    // The reseller also owns the tenant (as a grant did before issue 21).
    entity::customer::Entity::update_many()
        .col_expr(
            entity::customer::Column::AzureTenantOwnerId,
            Expr::value(Some(raw_id(&w.reseller_id))),
        )
        .filter(entity::customer::Column::Id.eq(raw_id(&customer_id)))
        .exec(&app.db)
        .await
        .unwrap();
    for sql in [
        "DROP TABLE admin_relationships",
        "DELETE FROM seaql_migrations WHERE version = 'm20261206_000014_admin_relationships'",
    ] {
        app.db
            .execute_raw(Statement::from_string(app.db.get_database_backend(), sql))
            .await
            .unwrap();
    }
    let (data_dir, url) = (app.data_dir.clone(), app.database_url.clone());
    let again = e2e::spawn_app_with(app.backend, move |s| {
        s.data_dir = data_dir;
        if let Some(url) = url {
            s.database_url = Some(url.into());
        }
    })
    .await;
    let rows = entity::admin_relationship::Entity::find()
        .all(&again.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "one designation, one relationship");
    let rel = &rows[0];
    assert_eq!(rel.customer_id, raw_id(&customer_id));
    assert_eq!(rel.status, AdminRelationshipStatus::Active);
    assert_eq!(rel.duration_days, 730);
    assert!(!rel.auto_extend);
    let roles = AdminRole::load(&rel.roles);
    assert!(roles.contains(&AdminRole::TenantOwner), "{roles:?}");
    assert!(roles.contains(&AdminRole::SubscriptionManager));
    let days = (rel.ends_at.unwrap() - chrono::Utc::now()).num_days();
    assert!((729..=730).contains(&days), "{days}");
    // Access follows it; the direct customer stays out of reach.
    let reseller = again.login("admin@fabrikam.test", "password-123").await;
    let seen = again
        .gql("query($id: ID!) { node(id: $id) { ... on Customer { indirectReseller { companyName } azureTenantOwner { companyName } } } }", json!({ "id": customer_id }), Some(&reseller))
        .await;
    assert_eq!(
        seen.data()["node"]["azureTenantOwner"]["companyName"],
        "Fabrikam Solutions"
    );
    let hidden = again
        .gql(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": direct_id }),
            Some(&reseller),
        )
        .await;
    assert_eq!(hidden.error_code(), "NOT_FOUND");
}
e2e!(existing_designations_become_relationships);
