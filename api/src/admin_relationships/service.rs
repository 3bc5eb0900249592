//! The lifecycle of an admin relationship, without HTTP: the provider creates it (the
//! customer's admin gets a single-use approval link by email); the customer's admin
//! approves or declines (`approval`); any party terminates, the provider switches
//! auto-extension (`ending`). The worker expires, extends and reminds
//! (`worker::delegation`).

use super::lifecycle;
use crate::audit::Who;
use crate::auth::{Actor, token};
use crate::customers::access::{self, Standing};
use crate::customers::eligibility::{
    check_active_partner, not_partner, ordering_provider, require_active_partner,
};
use crate::error::{ApiError, ApiResult};
use crate::graphql::user_error::UserErrorCode;
use crate::partnerships::invitations::LinkSettings;
use chrono::{Duration, Utc};
use entity::admin_relationship as rel;
use entity::enums::{AdminRelationshipStatus as Status, AdminRole};
use entity::event_type::EventType;
use entity::{customer, partner};
use migration::database::begin_write;
use sea_orm::{ActiveModelTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, Set};
use worker::compose::EmailContent;
use worker::msg;

pub const EMAIL_KIND: &str = "ADMIN_RELATIONSHIP_APPROVAL";
/// How long the customer has to approve.
pub const APPROVAL_DAYS: i64 = 30;
pub const MAX_DAYS: i32 = 730;
/// What one automatic extension adds.
pub const EXTENSION_DAYS: i64 = 180;

/// What the provider asks for.
pub struct Request {
    pub customer_id: i32,
    pub reseller_id: i32,
    pub roles: Vec<AdminRole>,
    pub duration_days: i32,
    pub auto_extend: bool,
    pub language: Option<String>,
}

pub struct Created {
    pub relationship: rel::Model,
    pub link: String,
    pub email_id: i32,
}

/// The contract's input rules: 1–730 days, at least one role, no auto-extension of a
/// tenant ownership.
pub fn validate(roles: &[AdminRole], duration_days: i32, auto_extend: bool) -> ApiResult<()> {
    if !(1..=MAX_DAYS).contains(&duration_days) {
        return Err(ApiError::user(
            UserErrorCode::OutOfRange,
            &["input", "durationDays"],
            msg!("error-admin-relationship-duration", max = MAX_DAYS),
        ));
    }
    if roles.is_empty() {
        return Err(ApiError::user(
            UserErrorCode::Invalid,
            &["input", "roles"],
            msg!("error-admin-relationship-no-roles"),
        ));
    }
    if auto_extend && roles.contains(&AdminRole::TenantOwner) {
        return Err(ApiError::user(
            UserErrorCode::Invalid,
            &["input", "autoExtend"],
            msg!("error-admin-relationship-tenant-owner-extend"),
        ));
    }
    Ok(())
}

fn roles_text(roles: &[AdminRole]) -> String {
    AdminRole::store(roles).replace(',', ", ")
}

/// Provider ADMIN or SALES_AGENT: asks the customer's admin to approve `request`.
pub async fn create(
    db: &DatabaseConnection,
    links: &LinkSettings<'_>,
    who: &Who,
    actor: &Actor,
    request: Request,
) -> ApiResult<Created> {
    let (cust, standing) = access::find_customer(db, actor, request.customer_id).await?;
    let provider = ordering_provider(actor)?;
    if standing != Standing::Provider {
        return Err(ApiError::Forbidden("PROVIDER_ONLY"));
    }
    validate(&request.roles, request.duration_days, request.auto_extend)?;
    let field: &[&str] = &["input", "resellerId"];
    check_active_partner(db, provider.id, request.reseller_id, field).await?;
    let reseller = partner::Entity::find_by_id(request.reseller_id)
        .one(db)
        .await?
        .ok_or_else(|| not_partner(field))?;
    crate::throttle::organization_email(db, links.rate_limits, provider.id).await?;
    let token = token::generate();
    let link = format!(
        "{}/admin-relationships/approve?token={token}",
        links.public_url.trim_end_matches('/')
    );
    let to = format!("admin@{}", cust.domain);
    let lang = crate::language::for_recipient(
        db,
        &to,
        request.language.as_deref(),
        actor,
        &["input", "language"],
    )
    .await?;
    let content = EmailContent::AdminRelationshipRequest {
        provider: provider.company_name.clone(),
        customer: cust.company_name.clone(),
        reseller: reseller.company_name.clone(),
        roles: roles_text(&request.roles),
        days: i64::from(request.duration_days),
        link: link.clone(),
    };
    let composed = content.compose(lang);
    let now = Utc::now();
    let txn = begin_write(db).await?;
    // The partnership stays share-locked: offboarding the reseller (which locks it for
    // update) waits for this and then terminates what it wrote, or this finds it ended.
    require_active_partner(&txn, provider.id, request.reseller_id, field).await?;
    let email_id = crate::outbox::write(
        &txn,
        crate::outbox::Email {
            kind: EMAIL_KIND,
            to: &to,
            lang,
            content: &content,
            composed: &composed,
            secret: Some(&token),
        },
        links.relay_after_ms,
    )
    .await?;
    let created = rel::ActiveModel {
        customer_id: Set(cust.id),
        reseller_id: Set(request.reseller_id),
        provider_id: Set(provider.id),
        roles: Set(AdminRole::store(&request.roles)),
        status: Set(Status::PendingApproval),
        duration_days: Set(request.duration_days),
        auto_extend: Set(request.auto_extend),
        created_by_user_id: Set(Some(actor.user.id)),
        created_at: Set(now),
        approval_expires_at: Set(now + Duration::days(APPROVAL_DAYS)),
        token_hash: Set(Some(token::hash(&token))),
        outbound_email_id: Set(Some(email_id)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    lifecycle::record(
        &txn,
        who,
        &created,
        EventType::AdminRelationshipRequested,
        msg!(
            "audit-admin-relationship-requested",
            customer = &cust.company_name,
            reseller = &reseller.company_name,
            roles = roles_text(&request.roles),
            days = request.duration_days
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(Created {
        relationship: created,
        link,
        email_id,
    })
}

/// An ACTIVE relationship written directly, with the approval already given: the
/// provider creating the customer with its first delegation (`createCustomer`), and the
/// customer accepting a reseller-relationship request.
pub async fn insert_active(
    txn: &DatabaseTransaction,
    who: &Who,
    cust: &customer::Model,
    reseller_id: i32,
    roles: &[AdminRole],
    duration_days: i32,
) -> ApiResult<rel::Model> {
    let now = Utc::now();
    let created = new_active(who, cust, reseller_id, roles, duration_days, now)
        .insert(txn)
        .await?;
    let (who, change) = approved(who, &created, cust);
    crate::audit::record(txn, &who, change).await?;
    lifecycle::refresh_reseller(txn, &[cust.id]).await?;
    Ok(created)
}

/// The row [`insert_active`] writes (also written many at once by `createCustomer`'s bulk
/// path, for customers created with this reseller: nothing to refresh then).
pub fn new_active(
    who: &Who,
    cust: &customer::Model,
    reseller_id: i32,
    roles: &[AdminRole],
    duration_days: i32,
    now: chrono::DateTime<Utc>,
) -> rel::ActiveModel {
    rel::ActiveModel {
        customer_id: Set(cust.id),
        reseller_id: Set(reseller_id),
        provider_id: Set(cust.provider_id),
        roles: Set(AdminRole::store(roles)),
        status: Set(Status::Active),
        duration_days: Set(duration_days),
        auto_extend: Set(false),
        created_by_user_id: Set(who.user_id),
        created_at: Set(now),
        approval_expires_at: Set(now),
        approved_at: Set(Some(now)),
        ends_at: Set(Some(now + Duration::days(i64::from(duration_days)))),
        ..Default::default()
    }
}

/// The audit entry of an ACTIVE relationship written directly.
pub fn approved(
    who: &Who,
    created: &rel::Model,
    cust: &customer::Model,
) -> (Who, crate::audit::Change) {
    lifecycle::change(
        who,
        created,
        EventType::AdminRelationshipApproved,
        msg!(
            "audit-admin-relationship-approved",
            customer = &cust.company_name,
            days = created.duration_days
        ),
    )
}

pub use super::approval::{answer, by_token};
pub use super::ending::{find_visible, terminate, update};
