//! Item 11 (g): the foreign keys that were missing now exist on both backends. A row that
//! points at nothing used to be accepted: a user of a customer that does not exist, an
//! order on behalf of a reseller that does not exist, and so on. Each column is tried with
//! a dangling id (refused as a foreign key violation) and then with a real one (accepted),
//! so the refusal is the constraint and not a malformed statement. Also the index that
//! unfiltered partnership lists of a provider need.

use super::{db_id, direct_customer, relationship_request};
use crate::customers::{fourth_coffee, world};
use chrono::Utc;
use e2e::{Backend, TestApp, e2e};
use entity::enums::UserRole;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbBackend, DbErr, Set, SqlErr, Statement};

const DANGLING: i32 = 987_654;

fn is_foreign_key_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(SqlErr::ForeignKeyConstraintViolation(_))
    )
}

async fn update(
    app: &TestApp,
    table: &str,
    column: &str,
    value: i32,
    id: i32,
) -> Result<u64, DbErr> {
    let sql = format!("UPDATE {table} SET {column} = {value} WHERE id = {id}");
    let backend = app.db.get_database_backend();
    app.db
        .execute_raw(Statement::from_string(backend, sql))
        .await
        .map(|r| r.rows_affected())
}

fn user(email: &str, customer_id: i32) -> entity::user::ActiveModel {
    entity::user::ActiveModel {
        email: Set(email.to_owned()),
        name: Set("Dangling".to_owned()),
        password_hash: Set("$argon2id$unused".to_owned()),
        role: Set(UserRole::CustomerAdmin),
        partner_id: Set(None),
        customer_id: Set(Some(customer_id)),
        must_change_password: Set(true),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
}

async fn the_missing_foreign_keys_exist(app: TestApp) {
    let w = world(&app).await;
    let created = fourth_coffee(&app, &w).await; // ordered on behalf of the reseller
    let customer = db_id(created["customer"]["id"].as_str().unwrap());
    let order = db_id(created["order"]["id"].as_str().unwrap());
    let direct = direct_customer(&app, &w.provider, "bakery.example").await;
    let (request, _) = relationship_request(&app, &w.provider, &direct, &w.reseller_id).await;
    let request = db_id(&request);
    let reseller = db_id(&w.reseller_id);
    let provider = entity::customer::Entity::find_by_id(customer)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .provider_id;
    use sea_orm::EntityTrait;
    let some_user = entity::user::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;

    // (table, column, row, a real target)
    let columns = [
        ("orders", "on_behalf_of_reseller_id", order, reseller),
        ("customers", "azure_tenant_owner_id", customer, reseller),
        (
            "customer_relationship_requests",
            "provider_id",
            request,
            provider,
        ),
        (
            "customer_relationship_requests",
            "created_by_user_id",
            request,
            some_user,
        ),
    ];
    for (table, column, row, target) in columns {
        let dangling = update(&app, table, column, DANGLING, row).await;
        match dangling {
            Err(e) => assert!(is_foreign_key_violation(&e), "{table}.{column}: {e}"),
            Ok(_) => panic!("{table}.{column} accepted an id that exists nowhere"),
        }
        assert_eq!(
            update(&app, table, column, target, row).await.unwrap(),
            1,
            "{table}.{column}"
        );
    }
    let refused = user("ghost@nowhere.example", DANGLING)
        .insert(&app.db)
        .await;
    match refused {
        Err(e) => assert!(is_foreign_key_violation(&e), "users.customer_id: {e}"),
        Ok(_) => panic!("users.customer_id accepted a customer that does not exist"),
    }
    user("second-admin@fourthcoffee.example", customer)
        .insert(&app.db)
        .await
        .expect("a user of an existing customer");

    // A plain (not partial) index led by partnerships.provider_id.
    let sql = match app.backend {
        Backend::Sqlite => {
            "SELECT sql AS def FROM sqlite_master WHERE type = 'index' AND tbl_name = 'partnerships' AND sql IS NOT NULL"
        }
        Backend::Postgres => {
            "SELECT indexdef AS def FROM pg_indexes WHERE tablename = 'partnerships'"
        }
    };
    let backend = match app.backend {
        Backend::Sqlite => DbBackend::Sqlite,
        Backend::Postgres => DbBackend::Postgres,
    };
    let rows = app
        .db
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap();
    let defs: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String>("", "def").unwrap())
        .collect();
    assert!(
        defs.iter()
            .any(|d| d.replace('"', "").contains("(provider_id")
                && !d.to_uppercase().contains(" WHERE ")),
        "{defs:?}"
    );
}
e2e!(the_missing_foreign_keys_exist);
