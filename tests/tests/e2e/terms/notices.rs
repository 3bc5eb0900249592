//! Notices 30 and 7 days before a term ends: once per threshold, to the provider's and the
//! reseller's ADMINs, each in their own language with the month's amount written by ICU;
//! a monthly term gets the 7-day notice only.

use super::*;
use crate::price_lists::{assign, create_list, set_price};
use chrono::{Duration, Utc};

async fn outbox(app: &TestApp) -> Vec<entity::outbound_email::Model> {
    use sea_orm::QueryOrder;
    entity::outbound_email::Entity::find()
        .filter(entity::outbound_email::Column::Kind.eq("SUBSCRIPTION_TERM_ENDING"))
        .order_by_asc(entity::outbound_email::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
}

async fn parties_hear_thirty_and_seven_days_before(backend: Backend) {
    let t = Terms::spawn(backend).await;
    let app = &t.app;
    let w = world(app).await;
    let p = w.provider.as_str();
    // The reseller's administrator reads Traditional Chinese.
    app.gql("mutation { updateViewerPreferences(input: {preferredLanguage: \"zh-TW\"}) { userErrors { code } } }", json!({}), Some(&w.reseller)).await;
    let basic = offer_id(app, p, "M365-BUSINESS-BASIC").await;
    let list = create_list(app, p, "Fabrikam", false).await;
    assign(app, p, &list, &[&w.reseller_id]).await;
    set_price(
        app,
        p,
        json!({ "priceListId": list, "offerId": basic, "markupPercent": "-12" }),
    )
    .await;
    let (_, subs) = buy(
        app,
        &w,
        "notices.example",
        true,
        json!([{ "offerId": basic, "quantity": 10 },
               { "offerId": basic, "quantity": 2, "term": "P1M", "autoRenew": false }]),
    )
    .await;
    let (yearly, monthly) = (&subs[0], &subs[1]);
    let now = Utc::now();
    set_term_end(app, yearly, now + Duration::days(20)).await;
    set_term_end(app, monthly, now + Duration::days(20)).await;

    // 30 days ahead: the yearly term only, to both parties, once.
    let (noticed, ids) = worker::terms::reminders::remind(&app.db, now, 1_000)
        .await
        .unwrap();
    assert_eq!((noticed, ids.len()), (1, 2));
    let (again, _) = worker::terms::reminders::remind(&app.db, now, 1_000)
        .await
        .unwrap();
    assert_eq!(again, 0);
    let sent = outbox(app).await;
    let to = |addr: &str| sent.iter().find(|e| e.to_address == addr).unwrap().clone();
    let english = to("admin@contoso.test");
    let chinese = to("admin@fabrikam.test");
    assert!(english.subject.contains("20 days"), "{}", english.subject);
    assert!(
        english.text_body.contains("$52.80"),
        "{}",
        english.text_body
    );
    assert!(
        english.text_body.contains("renews automatically"),
        "{}",
        english.text_body
    );
    assert!(chinese.subject.contains("20 天"), "{}", chinese.subject);
    assert!(
        chinese.text_body.contains("US$52.80"),
        "{}",
        chinese.text_body
    );
    assert!(
        chinese.text_body.contains("自動續約"),
        "{}",
        chinese.text_body
    );
    assert_eq!(chinese.language.as_deref(), Some("zh-TW"));

    // 7 days ahead: both subscriptions (the monthly one says it ends), once each.
    set_term_end(app, yearly, now + Duration::days(5)).await;
    set_term_end(app, monthly, now + Duration::days(5)).await;
    let (noticed, _) = worker::terms::reminders::remind(&app.db, now, 1_000)
        .await
        .unwrap();
    assert_eq!(noticed, 2);
    let (again, _) = worker::terms::reminders::remind(&app.db, now, 1_000)
        .await
        .unwrap();
    assert_eq!(again, 0);
    let sent = outbox(app).await;
    assert_eq!(sent.len(), 6);
    assert!(
        sent.iter().any(|e| e.to_address == "admin@contoso.test" && e.text_body.contains("will not renew")),
        "{sent:?}"
    );
    assert_eq!(events(app, "subscription.term_ending", yearly).await, 2);
    assert_eq!(events(app, "subscription.term_ending", monthly).await, 1);

    // After the renewal the next term is noticed again.
    let end = time(&sub(app, p, yearly).await["termEndsAt"]);
    worker::terms::renewal::renew(&app.db, end).await.unwrap();
    let next = time(&sub(app, p, yearly).await["termEndsAt"]);
    let (noticed, _) = worker::terms::reminders::remind(&app.db, next - Duration::days(6), 1_000)
        .await
        .unwrap();
    assert_eq!(noticed, 1);
}
both!(parties_hear_thirty_and_seven_days_before);
