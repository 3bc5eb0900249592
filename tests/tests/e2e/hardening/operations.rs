//! `/metrics` is not public: 404 unless `METRICS__TOKEN` is set, then only with that token.

use e2e::{Backend, spawn_app, spawn_app_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_need_the_configured_token() {
    let app = spawn_app(Backend::Sqlite).await;
    let url = format!("{}/metrics", app.address);
    let resp = app.client.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 404, "not served without a token configured");
    let resp = app
        .client
        .get(&url)
        .bearer_auth("anything")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);

    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.metrics.token = Some("scrape-secret".to_owned().into())
    })
    .await;
    let url = format!("{}/metrics", app.address);
    for wrong in [None, Some("scrape-secre"), Some("scrape-secret-"), Some("")] {
        let mut req = app.client.get(&url);
        if let Some(token) = wrong {
            req = req.bearer_auth(token);
        }
        assert_eq!(req.send().await.unwrap().status(), 401, "{wrong:?}");
    }
    let resp = app
        .client
        .get(&url)
        .bearer_auth("scrape-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("partner_center_db_statements_total")
    );
}
