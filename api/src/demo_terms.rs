//! Demo data showing a reseller's own prices and a term that renews (issue 24): Contoso
//! Distribution's price list "Tailspin Partners" (Business Basic at list minus 12 %:
//! $6.00 → $5.28) assigned to Tailspin Partners, and for Wide World Importers (Tailspin's
//! customer, `demo_delegation`) a month-to-month Business Basic subscription ordered on
//! Tailspin's behalf a month ago, whose order line recorded both prices. Its term ends ten
//! minutes after seeding, so the worker's next passes renew it (a RENEWAL line at $5.28,
//! event `SUBSCRIPTION_RENEWED`); its cancellation window closed long ago. Idempotent:
//! skipped when the list exists.

use chrono::{Duration, Months, Utc};
use entity::enums::{OrderLineKind, SubscriptionStatus};
use entity::pricing::{markup, resolve};
use entity::terms::TermDuration;
use entity::{
    customer, offer, order, order_line, price_list, price_list_price, price_list_reseller,
    subscription, user,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

const LIST: &str = "Tailspin Partners";

async fn user_of(
    db: &DatabaseConnection,
    email: &str,
) -> Result<Option<user::Model>, sea_orm::DbErr> {
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await
}

pub async fn seed(db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    let provider_user = user_of(db, "provider@demo.test").await?;
    let reseller = user_of(db, "reseller4@demo.test")
        .await?
        .and_then(|u| u.partner_id);
    let cust = customer::Entity::find()
        .filter(customer::Column::Domain.eq("wideworldimporters.demo"))
        .one(db)
        .await?;
    let basic = offer::Entity::find()
        .filter(offer::Column::Sku.eq("M365-BUSINESS-BASIC"))
        .one(db)
        .await?;
    let (Some(provider_user), Some(reseller), Some(cust), Some(basic)) =
        (provider_user, reseller, cust, basic)
    else {
        return Ok(());
    };
    let Some(provider) = provider_user.partner_id else {
        return Ok(());
    };
    let exists = price_list::Entity::find()
        .filter(price_list::Column::ProviderId.eq(provider))
        .filter(price_list::Column::Name.eq(LIST))
        .one(db)
        .await?
        .is_some();
    if exists {
        return Ok(());
    }
    let now = Utc::now();
    let ends = crate::terms::service::whole_millis(now + Duration::minutes(10));
    let start = ends
        .checked_sub_months(Months::new(1))
        .unwrap_or(ends - Duration::days(30));
    let txn = migration::database::begin_write(db).await?;
    let list = price_list::ActiveModel {
        provider_id: Set(provider),
        name: Set(LIST.into()),
        is_default: Set(false),
        created_at: Set(start - Duration::days(1)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    price_list_price::ActiveModel {
        price_list_id: Set(list.id),
        offer_id: Set(basic.id),
        unit_price_minor: Set(None),
        markup_percent_e4: Set(markup::parse("-12")),
        currency: Set(basic.currency.clone()),
        effective_from: Set(start - Duration::days(1)),
        created_at: Set(start - Duration::days(1)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    price_list_reseller::ActiveModel {
        price_list_id: Set(list.id),
        provider_id: Set(provider),
        reseller_id: Set(reseller),
        assigned_at: Set(start - Duration::days(1)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let sub = subscription::ActiveModel {
        customer_id: Set(cust.id),
        offer_id: Set(basic.id),
        quantity: Set(5),
        status: Set(SubscriptionStatus::Active),
        partner_of_record_id: Set(Some(reseller)),
        support_contact_partner_id: Set(provider),
        upgraded_from_id: Set(None),
        created_at: Set(start),
        updated_at: Set(start),
        ..Default::default()
    }
    .with_first_term(TermDuration::P1M, start, true)
    .insert(&txn)
    .await?;
    let placed = order::ActiveModel {
        customer_id: Set(cust.id),
        provider_id: Set(provider),
        placed_by_user_id: Set(provider_user.id),
        on_behalf_of_reseller_id: Set(Some(reseller)),
        created_at: Set(start),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // The prices in force when it was placed, by the rule every order uses.
    let reseller_price =
        resolve::reseller_unit_price(&txn, provider, reseller, &basic, start).await?;
    order_line::ActiveModel {
        order_id: Set(placed.id),
        kind: Set(OrderLineKind::New),
        subscription_id: Set(sub.id),
        offer_id: Set(basic.id),
        quantity_change: Set(5),
        monthly_unit_price_minor: Set(basic.monthly_unit_price_minor),
        currency: Set(basic.currency.clone()),
        list_unit_price_minor: Set(Some(basic.monthly_unit_price_minor)),
        reseller_unit_price_minor: Set(Some(reseller_price)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await
}
