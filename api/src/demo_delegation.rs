//! Demo data showing a delegation with roles: Contoso Distribution (provider@demo.test) in
//! partnership with Tailspin Partners (reseller4@demo.test; the walkthroughs' resellers
//! start without partnerships), its customer Wide World Importers (admin
//! `admin@wideworldimporters.demo`, the demo password) with one subscription, and an ACTIVE
//! admin relationship granting Tailspin CUSTOMER_READER and ORDER_MANAGER for 90 days.
//! Idempotent: skipped when the customer exists.

use chrono::{Duration, Utc};
use entity::enums::{
    AdminRelationshipStatus, AdminRole, PartnershipStatus, SubscriptionStatus, UserRole,
};
use entity::{admin_relationship, customer, offer, partnership, subscription, user};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

const DOMAIN: &str = "wideworldimporters.demo";

async fn partner_of(db: &DatabaseConnection, email: &str) -> Result<Option<i32>, sea_orm::DbErr> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await?
        .and_then(|u| u.partner_id))
}

pub async fn seed(db: &DatabaseConnection, password: &str) -> Result<(), super::demo::SeedError> {
    let exists = customer::Entity::find()
        .filter(customer::Column::Domain.eq(DOMAIN))
        .one(db)
        .await?
        .is_some();
    let provider = partner_of(db, "provider@demo.test").await?;
    let reseller = partner_of(db, "reseller4@demo.test").await?;
    let (false, Some(provider), Some(reseller)) = (exists, provider, reseller) else {
        return Ok(());
    };
    let basic = offer::Entity::find()
        .filter(offer::Column::Sku.eq("M365-BUSINESS-BASIC"))
        .one(db)
        .await?;
    let hash = crate::accounts::validate::hash_password(password.to_owned()).await?;
    let now = Utc::now();
    let txn = migration::database::begin_write(db).await?;
    partnership::ActiveModel {
        provider_id: Set(provider),
        reseller_id: Set(reseller),
        status: Set(PartnershipStatus::Active),
        invitation_id: Set(None),
        created_at: Set(now),
        ended_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let cust = customer::ActiveModel {
        provider_id: Set(provider),
        reseller_id: Set(Some(reseller)),
        company_name: Set("Wide World Importers".into()),
        domain: Set(DOMAIN.into()),
        country: Set("US".into()),
        address_line1: Set("1 Main St".into()),
        address_line2: Set(None),
        city: Set("Seattle".into()),
        postal_code: Set("98101".into()),
        billing_contact_name: Set("Ana Bill".into()),
        billing_contact_email: Set(format!("billing@{DOMAIN}")),
        billing_contact_phone: Set(None),
        language: Set("en-US".into()),
        idempotency_key: Set(None),
        azure_tenant_owner_id: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    user::ActiveModel {
        email: Set(format!("admin@{DOMAIN}")),
        name: Set("Wide World Importers administrator".into()),
        password_hash: Set(hash),
        role: Set(UserRole::CustomerAdmin),
        preferred_language: Set("en-US".into()),
        partner_id: Set(None),
        customer_id: Set(Some(cust.id)),
        must_change_password: Set(false),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if let Some(basic) = basic {
        subscription::ActiveModel {
            customer_id: Set(cust.id),
            offer_id: Set(basic.id),
            quantity: Set(10),
            status: Set(SubscriptionStatus::Active),
            partner_of_record_id: Set(Some(reseller)),
            support_contact_partner_id: Set(provider),
            upgraded_from_id: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .with_first_term(basic.default_term(), now, true)
        .insert(&txn)
        .await?;
    }
    admin_relationship::ActiveModel {
        customer_id: Set(cust.id),
        reseller_id: Set(reseller),
        provider_id: Set(provider),
        roles: Set(AdminRole::store(&[
            AdminRole::CustomerReader,
            AdminRole::OrderManager,
        ])),
        status: Set(AdminRelationshipStatus::Active),
        duration_days: Set(90),
        auto_extend: Set(false),
        created_by_user_id: Set(None),
        created_at: Set(now),
        approval_expires_at: Set(now),
        approved_at: Set(Some(now)),
        ends_at: Set(Some(now + Duration::days(90))),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}
