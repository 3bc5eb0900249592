//! Enrollment rules and partner visibility, independent of GraphQL.

use crate::accounts::{members, validate};
use crate::audit::{self, Change, Who};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, is_unique_violation};
use crate::graphql::ids::NodeType;
use crate::graphql::user_error::UserErrorCode;
use crate::settings::RateLimitSettings;
use crate::throttle;
use chrono::Utc;
use entity::enums::{EnrollmentStatus, PartnerKind, UserRole};
use entity::event_type::EventType;
use entity::{partner, user};
use rand::Rng;
use sea_orm::ActiveEnum;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, Select, Set,
};
use worker::msg;

pub struct Enrollment<'a> {
    pub kind: PartnerKind,
    pub company_name: &'a str,
    pub country: &'a str,
    pub admin_name: &'a str,
    pub admin_email: &'a str,
    pub password: &'a str,
    /// The first ADMIN's language, a BCP 47 tag (validated here).
    pub preferred_language: &'a str,
    /// Where the request came from: enrollments are rate-limited per address.
    pub client_addr: &'a str,
}

pub struct Enrolled {
    pub partner: partner::Model,
    pub admin: user::Model,
}

/// Creates a PENDING partner and its first ADMIN in one transaction.
pub async fn enroll(
    db: &DatabaseConnection,
    request_id: &str,
    limits: &RateLimitSettings,
    input: Enrollment<'_>,
) -> ApiResult<Enrolled> {
    // Every attempt counts (an EMAIL_TAKEN answer tells that an account exists), and before
    // the argon2 run it would otherwise cost.
    let _attempt = throttle::reserve(
        db,
        &[throttle::Limit {
            bucket: "enrollment.address",
            key: input.client_addr,
            limit: limits.enrollments_per_address,
            window: chrono::Duration::minutes(limits.window_minutes),
        }],
    )
    .await?;
    let company_name = validate::name(input.company_name, 200, &["input", "companyName"])?;
    let country = validate::country(input.country, &["input", "country"])?;
    let admin_name = validate::name(input.admin_name, 200, &["input", "adminName"])?;
    let admin_email = validate::email(input.admin_email, &["input", "adminEmail"])?;
    validate::new_password(input.password, &["input", "password"])?;
    let preferred_language =
        crate::language::preference(input.preferred_language, &["input", "preferredLanguage"])?;
    let hash = validate::hash_password(input.password.to_owned()).await?;

    let txn = migration::database::begin_write(db).await?;
    let now = Utc::now();
    let partner = insert_partner(
        &txn,
        input.kind,
        company_name,
        country,
        EnrollmentStatus::Pending,
    )
    .await?;
    let admin = user::ActiveModel {
        email: Set(admin_email),
        name: Set(admin_name),
        password_hash: Set(hash),
        role: Set(UserRole::Admin),
        preferred_language: Set(preferred_language),
        partner_id: Set(Some(partner.id)),
        must_change_password: Set(false),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            members::email_taken(&["input", "adminEmail"])
        } else {
            e.into()
        }
    })?;
    let who = Who {
        user_id: Some(admin.id),
        partner_id: Some(partner.id),
        request_id: request_id.to_owned(),
        api_client_id: None,
    };
    audit::record(
        &txn,
        &who,
        Change {
            action: EventType::PartnerEnrolled,
            target: NodeType::Partner,
            target_id: partner.id,
            summary: msg!(
                "audit-partner-enrolled",
                partner = &partner.company_name,
                kind = partner.kind.to_value()
            ),
            subject_partner_id: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Enrolled { partner, admin })
}

/// Inserts a partner with a fresh 7-digit partner network id (retrying the rare collision).
pub async fn insert_partner<C: ConnectionTrait>(
    db: &C,
    kind: PartnerKind,
    company_name: String,
    country: String,
    status: EnrollmentStatus,
) -> ApiResult<partner::Model> {
    let now = Utc::now();
    for _ in 0..5 {
        let network_id = rand::rng().random_range(1_000_000..10_000_000).to_string();
        let result = partner::ActiveModel {
            kind: Set(kind),
            company_name: Set(company_name.clone()),
            country: Set(country.clone()),
            partner_network_id: Set(network_id),
            enrollment_status: Set(status),
            created_at: Set(now),
            approved_at: Set((status == EnrollmentStatus::Active).then_some(now)),
            ..Default::default()
        }
        .insert(db)
        .await;
        match result {
            Ok(p) => return Ok(p),
            Err(e) if is_unique_violation(&e) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Internal(anyhow::anyhow!(
        "could not allocate a partner network id"
    )))
}

/// PENDING (or SUSPENDED) -> ACTIVE. Platform admins only (checked by the caller).
pub async fn approve(
    db: &DatabaseConnection,
    who: &Who,
    partner_id: i32,
) -> ApiResult<partner::Model> {
    let txn = migration::database::begin_write(db).await?;
    let partner = find(&txn, partner_id).await?;
    if partner.enrollment_status == EnrollmentStatus::Active {
        return Err(ApiError::user(
            UserErrorCode::InvalidState,
            &["input", "partnerId"],
            msg!("error-partner-already-active"),
        ));
    }
    let mut active = partner.into_active_model();
    active.enrollment_status = Set(EnrollmentStatus::Active);
    active.approved_at = Set(Some(Utc::now()));
    let approved = active.update(&txn).await?;
    audit::record(
        &txn,
        who,
        Change {
            action: EventType::PartnerApproved,
            target: NodeType::Partner,
            target_id: approved.id,
            summary: msg!(
                "audit-enrollment-approved",
                partner = &approved.company_name
            ),
            subject_partner_id: Some(approved.id),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(approved)
}

/// ACTIVE -> SUSPENDED. Platform admins only (checked by the caller).
pub async fn suspend(
    db: &DatabaseConnection,
    who: &Who,
    partner_id: i32,
) -> ApiResult<partner::Model> {
    let txn = migration::database::begin_write(db).await?;
    let partner = find(&txn, partner_id).await?;
    if partner.enrollment_status != EnrollmentStatus::Active {
        return Err(ApiError::user(
            UserErrorCode::InvalidState,
            &["input", "partnerId"],
            msg!("error-suspend-partner"),
        ));
    }
    let mut active = partner.into_active_model();
    active.enrollment_status = Set(EnrollmentStatus::Suspended);
    let suspended = active.update(&txn).await?;
    audit::record(
        &txn,
        who,
        Change {
            action: EventType::PartnerSuspended,
            target: NodeType::Partner,
            target_id: suspended.id,
            summary: msg!("audit-partner-suspended", partner = &suspended.company_name),
            subject_partner_id: Some(suspended.id),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(suspended)
}

async fn find<C: ConnectionTrait>(db: &C, partner_id: i32) -> ApiResult<partner::Model> {
    partner::Entity::find_by_id(partner_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A partner the caller may see: its own organization, one it has (had) a partnership
/// with, or any for a platform admin.
pub async fn find_visible<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    partner_id: i32,
) -> ApiResult<partner::Model> {
    let visible = match actor.partner_id() {
        _ if actor.is_platform_admin() => true,
        Some(own) if own == partner_id => true,
        Some(own) => crate::partnerships::service::ever_partnered(db, own, partner_id).await?,
        None => false,
    };
    if !visible {
        return Err(ApiError::NotFound);
    }
    find(db, partner_id).await
}

pub struct PartnerFilter {
    pub enrollment: Option<EnrollmentStatus>,
    pub kind: Option<PartnerKind>,
    pub search: Option<crate::graphql::search::SearchTerm>,
}

/// All partners matching the filter, oldest first (the platform's enrollment queue).
pub fn list(filter: &PartnerFilter) -> Select<partner::Entity> {
    let mut select = partner::Entity::find().order_by_asc(partner::Column::Id);
    if let Some(status) = filter.enrollment {
        select = select.filter(partner::Column::EnrollmentStatus.eq(status));
    }
    if let Some(kind) = filter.kind {
        select = select.filter(partner::Column::Kind.eq(kind));
    }
    if let Some(search) = &filter.search {
        select = select.filter(crate::graphql::search::contains(
            partner::Column::CompanyName,
            search,
        ));
    }
    select
}
