//! The lifecycle of an admin relationship, without HTTP: the provider creates it (the
//! customer's admin gets a single-use approval link by email), the customer's admin
//! approves or declines, any party terminates, the provider switches auto-extension. The
//! worker expires, extends and reminds (`worker::delegation`).

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
use entity::admin_relationship::{self as rel, Column, Entity};
use entity::enums::{AdminRelationshipStatus as Status, AdminRole, UserRole};
use entity::event_type::EventType;
use entity::{customer, partner};
use migration::database::begin_write;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QuerySelect, Set,
};
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
    let created = rel::ActiveModel {
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
    .insert(txn)
    .await?;
    lifecycle::record(
        txn,
        who,
        &created,
        EventType::AdminRelationshipApproved,
        msg!(
            "audit-admin-relationship-approved",
            customer = &cust.company_name,
            days = duration_days
        ),
    )
    .await?;
    lifecycle::refresh_reseller(txn, &[cust.id]).await?;
    Ok(created)
}

fn invalid_token() -> ApiError {
    ApiError::user(
        UserErrorCode::InvalidToken,
        &["input", "token"],
        msg!("error-admin-relationship-token"),
    )
}

/// The customer's signed-in admin, and its customer.
fn customer_admin(actor: &Actor) -> ApiResult<i32> {
    actor
        .user
        .customer_id
        .filter(|_| actor.user.role == UserRole::CustomerAdmin)
        .ok_or(ApiError::Forbidden("CUSTOMER_ADMIN_ONLY"))
}

/// The pending relationship a link's token names, for the signed-in customer's admin (the
/// approval page's preview); `INVALID_TOKEN` for a used, expired or foreign token.
pub async fn by_token<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    token_text: &str,
) -> ApiResult<rel::Model> {
    let own = customer_admin(actor)?;
    Entity::find()
        .filter(Column::TokenHash.eq(token::hash(token_text.trim())))
        .filter(Column::CustomerId.eq(own))
        .filter(Column::Status.eq(Status::PendingApproval))
        .filter(Column::ApprovalExpiresAt.gt(Utc::now()))
        .one(db)
        .await?
        .ok_or_else(invalid_token)
}

/// The customer's admin approves (ACTIVE, `endsAt` = now + duration) or declines. Single
/// use: of concurrent answers exactly one wins, the others get `INVALID_TOKEN`.
pub async fn answer(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    token_text: &str,
    approve: bool,
) -> ApiResult<rel::Model> {
    let found = by_token(db, actor, token_text).await?;
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let (cust, _) = access::lock_customer(&txn, actor, found.customer_id).await?;
    if approve {
        // A reseller no longer partnered (or suspended) cannot be approved.
        require_active_partner(
            &txn,
            found.provider_id,
            found.reseller_id,
            &["input", "token"],
        )
        .await?;
    }
    let mut update = Entity::update_many()
        .col_expr(Column::TokenHash, Expr::value(Option::<String>::None))
        .filter(Column::Id.eq(found.id))
        .filter(Column::Status.eq(Status::PendingApproval))
        .filter(Column::ApprovalExpiresAt.gt(now));
    update = if approve {
        update
            .col_expr(Column::Status, Expr::value(Status::Active))
            .col_expr(Column::ApprovedAt, Expr::value(Some(now)))
            .col_expr(
                Column::EndsAt,
                Expr::value(Some(now + Duration::days(i64::from(found.duration_days)))),
            )
    } else {
        update
            .col_expr(Column::Status, Expr::value(Status::Declined))
            .col_expr(Column::TerminatedAt, Expr::value(Some(now)))
    };
    if update.exec(&txn).await?.rows_affected != 1 {
        return Err(invalid_token());
    }
    let updated = Entity::find_by_id(found.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if let Some(email) = found.outbound_email_id {
        worker::delivery::cancel(&txn, email, "the relationship was answered").await?;
    }
    let (action, summary) = if approve {
        lifecycle::refresh_reseller(&txn, &[cust.id]).await?;
        (
            EventType::AdminRelationshipApproved,
            msg!(
                "audit-admin-relationship-approved",
                customer = &cust.company_name,
                days = found.duration_days
            ),
        )
    } else {
        (
            EventType::AdminRelationshipDeclined,
            msg!(
                "audit-admin-relationship-declined",
                customer = &cust.company_name
            ),
        )
    };
    lifecycle::record(&txn, who, &updated, action, summary).await?;
    txn.commit().await?;
    Ok(updated)
}

/// A relationship visible to the caller: its provider's and its reseller's users and the
/// customer's own users, in every status. Others get `NOT_FOUND`.
pub async fn find_visible<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i32,
) -> ApiResult<rel::Model> {
    let found = Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mine = actor.partner_id();
    let visible = mine == Some(found.provider_id)
        || mine == Some(found.reseller_id)
        || actor.user.customer_id == Some(found.customer_id);
    if visible {
        Ok(found)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Who may end it: the provider (ADMIN or SALES_AGENT), the reseller's ADMIN, the
/// customer's admin.
fn may_terminate(actor: &Actor, found: &rel::Model) -> bool {
    let role = actor.user.role;
    match actor.partner_id() {
        Some(p) if p == found.provider_id => matches!(role, UserRole::Admin | UserRole::SalesAgent),
        Some(p) if p == found.reseller_id => role == UserRole::Admin,
        _ => actor.user.customer_id == Some(found.customer_id) && role == UserRole::CustomerAdmin,
    }
}

/// Any party ends a PENDING_APPROVAL or ACTIVE relationship at once. The customer row is
/// locked for update first (the tenant ownership may go with it), then the relationship:
/// a reseller's write that holds them share-locked finishes first; one that comes later
/// finds the relationship TERMINATED and gets nothing from it.
pub async fn terminate(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    id: i32,
) -> ApiResult<rel::Model> {
    let found = find_visible(db, actor, id).await?;
    if !may_terminate(actor, &found) {
        return Err(ApiError::Forbidden("CANNOT_ADMINISTER"));
    }
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let cust = customer::Entity::find_by_id(found.customer_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let ended = Entity::update_many()
        .col_expr(Column::Status, Expr::value(Status::Terminated))
        .col_expr(Column::TerminatedAt, Expr::value(Some(now)))
        .col_expr(Column::TokenHash, Expr::value(Option::<String>::None))
        .filter(Column::Id.eq(found.id))
        .filter(Column::Status.is_in([Status::PendingApproval, Status::Active]))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !ended {
        return Err(ApiError::user(
            UserErrorCode::InvalidState,
            &["input", "relationshipId"],
            msg!("error-admin-relationship-ended"),
        ));
    }
    let updated = Entity::find_by_id(found.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if let Some(email) = found.outbound_email_id {
        worker::delivery::cancel(&txn, email, "the relationship was terminated").await?;
    }
    lifecycle::record(
        &txn,
        who,
        &updated,
        EventType::AdminRelationshipTerminated,
        msg!(
            "audit-admin-relationship-terminated",
            customer = &cust.company_name
        ),
    )
    .await?;
    for revoked in lifecycle::after_end(&txn, &[cust.id], now).await? {
        super::offboarding::record_revoked(
            &txn,
            who,
            revoked,
            &cust.company_name,
            found.reseller_id,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// The provider switches auto-extension of a PENDING_APPROVAL or ACTIVE relationship.
pub async fn update(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    id: i32,
    auto_extend: bool,
) -> ApiResult<rel::Model> {
    let found = find_visible(db, actor, id).await?;
    if actor.partner_id() != Some(found.provider_id) {
        return Err(ApiError::Forbidden("PROVIDER_ONLY"));
    }
    if !matches!(actor.user.role, UserRole::Admin | UserRole::SalesAgent) {
        return Err(ApiError::Forbidden("SALES_ONLY"));
    }
    validate(
        &AdminRole::load(&found.roles),
        found.duration_days,
        auto_extend,
    )?;
    let txn = begin_write(db).await?;
    // An ACTIVE relationship past its end is over even before the worker says so: switching
    // auto-extension on must not bring it back.
    let open = sea_orm::Condition::any()
        .add(Column::Status.eq(Status::PendingApproval))
        .add(super::access::in_force(Utc::now()));
    let changed = Entity::update_many()
        .col_expr(Column::AutoExtend, Expr::value(auto_extend))
        .col_expr(Column::RemindedDays, Expr::value(Option::<i32>::None))
        .filter(Column::Id.eq(found.id))
        .filter(open)
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !changed {
        return Err(ApiError::user(
            UserErrorCode::InvalidState,
            &["input", "relationshipId"],
            msg!("error-admin-relationship-ended"),
        ));
    }
    let updated = Entity::find_by_id(found.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let summary = if auto_extend {
        msg!("audit-admin-relationship-auto-extend-on")
    } else {
        msg!("audit-admin-relationship-auto-extend-off")
    };
    lifecycle::record(
        &txn,
        who,
        &updated,
        EventType::AdminRelationshipUpdated,
        summary,
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}
