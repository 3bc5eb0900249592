//! Reseller relationships with existing customers: the provider asks a customer to accept a
//! reseller as its delegated administrator. The customer's admin gets a single-use link by
//! email (same outbox and worker as partnership invitations) and accepts it signed in. Same
//! expiry, refusal and concurrency rules as partnership invitations.

use super::access::{self, Standing};
use super::eligibility::{
    check_active_partner, not_partner, ordering_provider, require_active_partner,
    require_active_provider,
};
use crate::auth::{Actor, token};
use crate::error::{ApiError, ApiResult};
use crate::graphql::user_error::UserErrorCode;
use crate::partnerships::invitations::{LinkSettings, already_used, refuse_used_link};
use chrono::{Duration, Utc};
use entity::enums::{InvitationStatus, UserRole};
use entity::event_type::EventType;
use entity::{customer, customer_relationship_request as request, partner};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use worker::compose::EmailContent;
use worker::msg;

pub const EMAIL_KIND: &str = "CUSTOMER_RELATIONSHIP_REQUEST";

pub struct Requested {
    pub request: request::Model,
    pub link: String,
    pub email_id: i32,
}

/// Provider (ADMIN or SALES_AGENT): asks the customer's admin to accept `reseller_id`.
pub async fn request(
    db: &DatabaseConnection,
    links: &LinkSettings<'_>,
    who: &crate::audit::Who,
    actor: &Actor,
    customer_id: i32,
    reseller_id: i32,
    language: Option<&str>,
) -> ApiResult<Requested> {
    let (cust, standing) = access::find_customer(db, actor, customer_id).await?;
    let provider = ordering_provider(actor)?;
    if standing != Standing::Provider {
        return Err(ApiError::Forbidden("PROVIDER_ONLY"));
    }
    let field: &[&str] = &["input", "indirectResellerId"];
    let administers =
        !crate::admin_relationships::access::roles_on(db, reseller_id, cust.id, false)
            .await?
            .is_empty();
    if administers {
        return Err(ApiError::user(
            UserErrorCode::InvalidState,
            field,
            msg!("error-already-administers"),
        ));
    }
    // First of all: an id no organization has and one that is not this provider's partner
    // get the same answer, before the email throttle or the language could tell them apart.
    check_active_partner(db, provider.id, reseller_id, field).await?;
    let reseller = partner::Entity::find_by_id(reseller_id)
        .one(db)
        .await?
        .ok_or_else(|| not_partner(field))?;
    crate::throttle::organization_email(db, links.rate_limits, provider.id).await?;
    let token = token::generate();
    let link = format!(
        "{}/customer-relationships/accept?token={token}",
        links.public_url.trim_end_matches('/')
    );
    let to = format!("admin@{}", cust.domain);
    let lang =
        crate::language::for_recipient(db, &to, language, actor, &["input", "language"]).await?;
    let content = EmailContent::RelationshipRequest {
        provider: provider.company_name.clone(),
        customer: cust.company_name.clone(),
        reseller: reseller.company_name.clone(),
        link: link.clone(),
    };
    let composed = content.compose(lang);
    let now = Utc::now();
    let txn = migration::database::begin_write(db).await?;
    require_active_partner(&txn, provider.id, reseller_id, field).await?;
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
    let created = request::ActiveModel {
        provider_id: Set(provider.id),
        customer_id: Set(cust.id),
        reseller_id: Set(reseller_id),
        token_hash: Set(token::hash(&token)),
        status: Set(InvitationStatus::Pending),
        created_by_user_id: Set(actor.user.id),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(links.ttl_days)),
        responded_at: Set(None),
        outbound_email_id: Set(Some(email_id)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    crate::audit::record(
        &txn,
        who,
        crate::audit::Change {
            action: EventType::CustomerRelationshipRequested,
            target: crate::graphql::ids::NodeType::CustomerRelationshipRequest,
            target_id: created.id,
            summary: msg!(
                "audit-relationship-requested",
                customer = &cust.company_name,
                reseller = &reseller.company_name
            ),
            subject_partner_id: Some(reseller_id),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Requested {
        request: created,
        link,
        email_id,
    })
}

/// The customer's signed-in admin accepts: the reseller becomes the customer's delegated
/// administrator. Of concurrent accepts exactly one wins.
pub async fn accept(
    db: &DatabaseConnection,
    who: &crate::audit::Who,
    actor: &Actor,
    token_text: &str,
) -> ApiResult<customer::Model> {
    let Some(own_customer) = actor
        .user
        .customer_id
        .filter(|_| actor.user.role == UserRole::CustomerAdmin)
    else {
        return Err(ApiError::Forbidden("CUSTOMER_ADMIN_ONLY"));
    };
    let field: &[&str] = &["input", "token"];
    let not_found = || {
        ApiError::user(
            UserErrorCode::InvitationNotFound,
            field,
            msg!("error-link-not-for-you"),
        )
    };
    let found = request::Entity::find()
        .filter(request::Column::TokenHash.eq(token::hash(token_text.trim())))
        .one(db)
        .await?
        .filter(|r| r.customer_id == own_customer)
        .ok_or_else(not_found)?;
    refuse_used_link(found.status, found.expires_at, field)?;
    let now = Utc::now();
    let txn = migration::database::begin_write(db).await?;
    // Locks in the one order (customer, partnership, partner): a designation or order of
    // this customer, or the end of the partnership, waits or sees the new reseller.
    let (cust, _) = access::lock_customer_for_update(&txn, actor, own_customer).await?;
    require_active_partner(&txn, found.provider_id, found.reseller_id, field).await?;
    require_active_provider(&txn, found.provider_id, field).await?;
    let won = request::Entity::update_many()
        .col_expr(
            request::Column::Status,
            Expr::value(InvitationStatus::Accepted),
        )
        .col_expr(request::Column::RespondedAt, Expr::value(Some(now)))
        .filter(request::Column::Id.eq(found.id))
        .filter(request::Column::Status.eq(InvitationStatus::Pending))
        .filter(request::Column::ExpiresAt.gt(now))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !won {
        drop(txn);
        let latest = request::Entity::find_by_id(found.id)
            .one(db)
            .await?
            .ok_or_else(not_found)?;
        refuse_used_link(latest.status, latest.expires_at, field)?;
        return Err(already_used(field));
    }
    // The acceptance is the customer's approval of an ACTIVE admin relationship with the
    // default roles; as with the single designation it replaces, the customer moves to
    // this reseller: other resellers' relationships end (and a tenant ownership with them).
    crate::admin_relationships::replace::move_to(&txn, who, &cust, found.reseller_id).await?;
    let updated = customer::Entity::find_by_id(cust.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if let Some(email) = found.outbound_email_id {
        worker::delivery::cancel(&txn, email, "the request was answered").await?;
    }
    // The customer acts; the provider and the new reseller both see it.
    crate::audit::record(
        &txn,
        who,
        crate::audit::Change {
            action: EventType::CustomerRelationshipAccepted,
            target: crate::graphql::ids::NodeType::CustomerRelationshipRequest,
            target_id: found.id,
            summary: msg!(
                "audit-relationship-accepted",
                customer = &updated.company_name
            ),
            subject_partner_id: Some(found.provider_id),
        },
    )
    .await?;
    crate::audit::record(
        &txn,
        who,
        crate::audit::Change {
            action: EventType::CustomerRelationshipAccepted,
            target: crate::graphql::ids::NodeType::CustomerRelationshipRequest,
            target_id: found.id,
            summary: msg!(
                "audit-relationship-accepted-by-customer",
                customer = &updated.company_name
            ),
            subject_partner_id: Some(found.reseller_id),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// A request visible to the caller: the provider's users or the customer's own.
pub async fn find_visible<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i32,
) -> ApiResult<request::Model> {
    let found = request::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let visible = actor.partner_id() == Some(found.provider_id)
        || actor.user.customer_id == Some(found.customer_id);
    if visible {
        Ok(found)
    } else {
        Err(ApiError::NotFound)
    }
}
