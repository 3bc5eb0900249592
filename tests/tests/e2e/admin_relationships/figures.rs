//! Figures for the closing note (ignored: run with `--ignored --nocapture`; they print,
//! they do not assert times): the approval round trip (link to ACTIVE), and the expiry of
//! 100,000 relationships against a bare UPDATE of the same rows.

use super::*;
use sea_orm::{ConnectionTrait, Statement};
use std::time::Instant;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "prints figures; run on purpose"]
async fn approval_round_trip_and_expiry_of_100k() {
    for backend in [e2e::Backend::Sqlite, e2e::Backend::Postgres] {
        let app = e2e::spawn_app_with(backend, |s| s.embedded_worker = Some(false)).await;
        let w = world(&app).await;
        let (customer_id, admin, _) = customer(&app, &w, "figures.example", None, None).await;
        let mut trips = Vec::new();
        for _ in 0..20 {
            let started = Instant::now();
            let (_, token) = delegate(
                &app,
                &w.provider,
                &customer_id,
                &w.reseller_id,
                json!(["ORDER_MANAGER"]),
                90,
            )
            .await;
            let ok = app.gql(APPROVE, json!({ "t": token }), Some(&admin)).await;
            assert_eq!(
                ok.data()["approveAdminRelationship"]["relationship"]["status"],
                "ACTIVE"
            );
            trips.push(started.elapsed());
        }
        trips.sort();
        println!(
            "{backend:?}: create + approve round trip (link to ACTIVE): median {:?}, max {:?}",
            trips[trips.len() / 2],
            trips[trips.len() - 1]
        );

        let n = 100_000;
        let customer = raw_id(&customer_id);
        let reseller = raw_id(&w.reseller_id);
        let seed = |status_sql: &str| {
            let ends = "'2000-01-01 00:00:00+00:00'";
            format!(
                "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {n}) \
                 INSERT INTO admin_relationships (customer_id, reseller_id, provider_id, roles, \
                   status, duration_days, auto_extend, created_at, approval_expires_at, \
                   approved_at, ends_at) \
                 SELECT {customer}, {reseller}, c.provider_id, 'CUSTOMER_READER', {status_sql}, \
                   1, FALSE, {ends}, {ends}, {ends}, {ends} FROM k, customers c WHERE c.id = {customer}"
            )
        };
        let run = |sql: String| {
            let db = app.db.clone();
            async move {
                db.execute_raw(Statement::from_string(db.get_database_backend(), sql))
                    .await
                    .unwrap();
            }
        };
        run("DELETE FROM admin_relationships WHERE duration_days = 1".into()).await;
        run(seed("'ACTIVE'")).await;
        let started = Instant::now();
        let expired = worker::delegation::expiry::expire(&app.db, chrono::Utc::now())
            .await
            .unwrap();
        let pass = started.elapsed();
        assert!(expired >= n);
        run("DELETE FROM webhook_deliveries".into()).await;
        run("DELETE FROM audit_entries WHERE action = 'admin_relationship.expired'".into()).await;
        run("DELETE FROM admin_relationships WHERE duration_days = 1".into()).await;
        run(seed("'ACTIVE'")).await;
        let started = Instant::now();
        run(
            "UPDATE admin_relationships SET status = 'EXPIRED' WHERE status = 'ACTIVE' \
             AND auto_extend = FALSE AND ends_at <= CURRENT_TIMESTAMP"
                .into(),
        )
        .await;
        let bare = started.elapsed();
        println!(
            "{backend:?}: expiring {n} relationships: worker pass {pass:?} (with {n} audit entries), bare UPDATE {bare:?}"
        );
    }
}
