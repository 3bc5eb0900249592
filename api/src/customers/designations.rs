//! The provider designates resellers: partner of record and support contact per
//! subscription, and the Azure tenant owner per customer.
//!
//! Each designation runs in one write transaction that locks what it changes (the
//! subscription, or the customer for update) before checking, and checks the reseller with
//! `eligibility::require_active_partner` inside it: a concurrent upgrade, relationship
//! acceptance or partnership end either sees the designation or makes it fail, never loses
//! it behind an audit entry that says it succeeded.

use super::access::{self, Standing};
use super::eligibility::{ordering_provider, require_active_partner};
use super::subscriptions::{administered, audit_subscription, invalid_state};
use crate::audit::{self, Change, Who};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::NodeType;
use crate::graphql::user_error::UserErrorCode;
use chrono::Utc;
use entity::enums::{OfferCategory, SubscriptionStatus};
use entity::event_type::EventType;
use entity::{customer, offer, subscription};
use migration::database::begin_write;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, Set,
};
use worker::msg;

/// The provider side only, on a subscription that is not cancelled (an upgrade cancels
/// its source: the designation belongs on the new subscription).
async fn provider_owned(
    txn: &DatabaseTransaction,
    actor: &Actor,
    subscription_id: i32,
) -> ApiResult<(subscription::Model, customer::Model)> {
    let (sub, cust, standing) = administered(txn, actor, subscription_id).await?;
    if standing != Standing::Provider {
        return Err(ApiError::Forbidden("PROVIDER_ONLY"));
    }
    if sub.status == SubscriptionStatus::Cancelled {
        return Err(invalid_state(msg!("error-subscription-cancelled")));
    }
    Ok((sub, cust))
}

/// Provider only: the reseller credited for incentives, or none.
pub async fn set_partner_of_record(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    subscription_id: i32,
    reseller_id: Option<i32>,
) -> ApiResult<subscription::Model> {
    let txn = begin_write(db).await?;
    let (sub, cust) = provider_owned(&txn, actor, subscription_id).await?;
    if let Some(reseller) = reseller_id {
        require_active_partner(
            &txn,
            cust.provider_id,
            reseller,
            &["input", "partnerOfRecordId"],
        )
        .await?;
    }
    let mut active = sub.into_active_model();
    active.partner_of_record_id = Set(reseller_id);
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    audit_subscription(
        &txn,
        who,
        &cust,
        EventType::SubscriptionPartnerOfRecordSet,
        updated.id,
        msg!(
            "audit-partner-of-record-set",
            partner = reseller_id.map_or_else(
                || "none".to_owned(),
                |id| entity::audit_entry::global_id("Partner", id)
            )
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Provider only: the designated support contact, the provider itself or an ACTIVE partner
/// reseller. `None` gives support back to the provider.
pub async fn set_support_contact(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    subscription_id: i32,
    partner_id: Option<i32>,
) -> ApiResult<subscription::Model> {
    let txn = begin_write(db).await?;
    let (sub, cust) = provider_owned(&txn, actor, subscription_id).await?;
    let contact = partner_id.unwrap_or(cust.provider_id);
    if contact != cust.provider_id {
        require_active_partner(
            &txn,
            cust.provider_id,
            contact,
            &["input", "supportContactId"],
        )
        .await?;
    }
    let mut active = sub.into_active_model();
    active.support_contact_partner_id = Set(contact);
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    audit_subscription(
        &txn,
        who,
        &cust,
        EventType::SubscriptionSupportContactSet,
        updated.id,
        msg!(
            "audit-support-contact-set",
            partner = entity::audit_entry::global_id("Partner", contact)
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Provider (ADMIN or SALES_AGENT): gives the customer's associated reseller the tenant-owner
/// role on an Azure customer (one holding a live Azure subscription).
pub async fn grant_azure_tenant_owner(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    customer_id: i32,
) -> ApiResult<customer::Model> {
    let txn = begin_write(db).await?;
    // Visibility first: a foreign id answers NOT_FOUND whatever the caller's role.
    let (cust, standing) = access::lock_customer_for_update(&txn, actor, customer_id).await?;
    let provider = ordering_provider(actor)?;
    if standing != Standing::Provider || cust.provider_id != provider.id {
        return Err(ApiError::Forbidden("PROVIDER_ONLY"));
    }
    let field: &[&str] = &["input", "customerId"];
    // The reseller of the newest relationship in force granting TENANT_OWNER (share-locked:
    // terminating it waits for this grant, and then revokes it).
    let Some(reseller) =
        crate::admin_relationships::access::tenant_owner_candidate(&txn, cust.id).await?
    else {
        return Err(ApiError::user(
            UserErrorCode::NoAssociatedReseller,
            field,
            msg!("error-no-tenant-owner-relationship"),
        ));
    };
    require_active_partner(&txn, provider.id, reseller, field).await?;
    let azure = subscription::Entity::find()
        .find_also_related(offer::Entity)
        .filter(subscription::Column::CustomerId.eq(cust.id))
        .filter(subscription::Column::Status.ne(SubscriptionStatus::Cancelled))
        .all(&txn)
        .await?
        .into_iter()
        .any(|(_, o)| o.is_some_and(|o| o.category == OfferCategory::Azure));
    if !azure {
        return Err(ApiError::user(
            UserErrorCode::NotAnAzureCustomer,
            field,
            msg!("error-not-azure-customer"),
        ));
    }
    let mut active = cust.into_active_model();
    active.azure_tenant_owner_id = Set(Some(reseller));
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        who,
        Change {
            action: EventType::CustomerAzureTenantOwnerGranted,
            target: NodeType::Customer,
            target_id: updated.id,
            summary: msg!(
                "audit-tenant-owner-granted",
                customer = &updated.company_name
            ),
            subject_partner_id: Some(reseller),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Provider (ADMIN or SALES_AGENT): the customer's Azure tenant owner loses the role.
pub async fn revoke_azure_tenant_owner(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    customer_id: i32,
) -> ApiResult<customer::Model> {
    let txn = begin_write(db).await?;
    let (cust, standing) = access::lock_customer_for_update(&txn, actor, customer_id).await?;
    let provider = ordering_provider(actor)?;
    if standing != Standing::Provider || cust.provider_id != provider.id {
        return Err(ApiError::Forbidden("PROVIDER_ONLY"));
    }
    let Some(owner) = cust.azure_tenant_owner_id else {
        return Err(ApiError::user(
            UserErrorCode::InvalidState,
            &["input", "customerId"],
            msg!("error-no-tenant-owner"),
        ));
    };
    let mut active = cust.into_active_model();
    active.azure_tenant_owner_id = Set(None);
    let updated = active.update(&txn).await?;
    crate::admin_relationships::offboarding::record_revoked(
        &txn,
        who,
        updated.id,
        &updated.company_name,
        owner,
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}
