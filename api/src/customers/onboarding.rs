//! `createCustomer`: the New customer wizard's submit. One transaction creates the customer,
//! its admin user (`admin@<domain>`, temporary password), the order and its subscriptions —
//! all or nothing. An idempotency key makes a retried submit return the first customer.
//! Its reads before the writes are three statements: the collisions (`onboarding_checks`),
//! the offers where the customer is (`pricing`), and the named resellers (`eligibility`).

use super::eligibility::{ordering_provider, require_active_partners};
use super::onboarding_checks::{by_key, claims, domain_taken_error, replay, replay_of};
pub use super::onboarding_checks::{domain_taken, normalize_domain};
use super::orders::{self, NewSubscription};
use super::pricing::{self, LineRequest};
use crate::accounts::validate;
use crate::auth::{Actor, password};
use crate::error::{ApiError, ApiResult, is_unique_violation};
use crate::graphql::user_error::UserErrorCode;
use chrono::Utc;
use entity::enums::UserRole;
use entity::event_type::EventType;
use entity::{customer, order, user};
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use worker::msg;

pub struct NewCustomer {
    pub company_name: String,
    pub domain: String,
    pub country: String,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub city: String,
    pub postal_code: String,
    pub billing_contact_name: String,
    pub billing_contact_email: String,
    pub billing_contact_phone: Option<String>,
    pub language: String,
    pub reseller_id: Option<i32>,
    /// The roles of the reseller's admin relationship (default: every role but TENANT_OWNER).
    pub admin_roles: Option<Vec<entity::enums::AdminRole>>,
    /// Its duration (default 730 days).
    pub admin_duration_days: Option<i32>,
    pub lines: Vec<LineRequest>,
    pub idempotency_key: String,
}

pub struct Created {
    pub customer: customer::Model,
    pub order: Option<order::Model>,
    pub admin_user_name: String,
    /// Only on the call that created the customer; never stored or shown again.
    pub temporary_password: Option<String>,
    /// True when an earlier call with the same key had already created it.
    pub replayed: bool,
}

pub async fn create(
    db: &DatabaseConnection,
    who: &crate::audit::Who,
    actor: &Actor,
    input: NewCustomer,
) -> ApiResult<Created> {
    let provider = ordering_provider(actor)?;
    let key = input.idempotency_key.trim().to_owned();
    if key.is_empty() || key.len() > 128 {
        return Err(ApiError::user(
            UserErrorCode::Invalid,
            &["input", "idempotencyKey"],
            msg!("error-idempotency-key"),
        ));
    }
    // One statement for every collision a submit can have (see `onboarding_checks`); the
    // refusals keep their order: a used key replays before anything is validated.
    let domain = normalize_domain(&input.domain);
    let claims = claims(db, Some((provider.id, &key)), domain.as_deref().ok()).await?;
    if let Some(existing) = claims.by_key {
        return replay_of(db, existing).await;
    }

    let company_name = validate::name(&input.company_name, 200, &["input", "companyName"])?;
    let domain = domain?;
    let country = validate::country(&input.country, &["input", "country"])?;
    let address_line1 = validate::name(&input.address_line1, 200, &["input", "address", "line1"])?;
    let city = validate::name(&input.city, 100, &["input", "address", "city"])?;
    let postal_code = validate::name(&input.postal_code, 32, &["input", "address", "postalCode"])?;
    let contact_name = validate::name(
        &input.billing_contact_name,
        200,
        &["input", "billingContact", "name"],
    )?;
    let contact_email = validate::email(
        &input.billing_contact_email,
        &["input", "billingContact", "email"],
    )?;
    // The customer's language is also its admin account's: a BCP 47 tag that fits the
    // customer's 16-character column.
    let language = crate::language::preference_within(&input.language, 16, &["input", "language"])?;
    let phone = match input
        .billing_contact_phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(p) => Some(validate::name(
            p,
            40,
            &["input", "billingContact", "phone"],
        )?),
        None => None,
    };
    if input.lines.is_empty() {
        return Err(ApiError::user(
            UserErrorCode::Invalid,
            &["input", "lines"],
            msg!("error-order-needs-subscription"),
        ));
    }
    let admin_roles = input
        .admin_roles
        .clone()
        .unwrap_or_else(|| entity::enums::AdminRole::DEFAULTS.to_vec());
    let admin_days = input
        .admin_duration_days
        .unwrap_or(crate::admin_relationships::service::MAX_DAYS);
    if input.reseller_id.is_some() {
        delegation_problem(&admin_roles, admin_days)?;
    }
    let checked = pricing::check(db, &country, &input.lines).await?;
    if let Some(problem) = checked.problems.into_iter().next() {
        return Err(ApiError::User(problem));
    }
    if claims.domain_taken {
        // A concurrent submit with this key may have just created it: that is a replay.
        return match by_key(db, provider.id, &key).await? {
            Some(existing) => replay(db, existing).await,
            None => Err(domain_taken_error()),
        };
    }

    let temporary_password = password::generate_temporary();
    let hash = password::hash_temporary(&temporary_password);
    let admin_user_name = format!("admin@{domain}");
    let now = Utc::now();

    let txn = migration::database::begin_write(db).await?;
    // Each reseller named (usually one, for every line) is checked once, all in one
    // statement, in the transaction that designates them (see `eligibility`).
    let line_numbers: Vec<String> = (0..checked.lines.len()).map(|i| i.to_string()).collect();
    let mut named: Vec<(i32, Vec<&str>)> = Vec::new();
    if let Some(reseller) = input.reseller_id {
        named.push((reseller, vec!["input", "indirectResellerId"]));
    }
    for (line, number) in checked.lines.iter().zip(&line_numbers) {
        if let Some(por) = line.partner_of_record_id
            && !named.iter().any(|(id, _)| *id == por)
        {
            named.push((por, vec!["input", "lines", number, "partnerOfRecordId"]));
        }
    }
    let named: Vec<(i32, &[&str])> = named.iter().map(|(id, f)| (*id, f.as_slice())).collect();
    require_active_partners(&txn, provider.id, &named).await?;
    let inserted = customer::ActiveModel {
        provider_id: Set(provider.id),
        reseller_id: Set(input.reseller_id),
        company_name: Set(company_name),
        domain: Set(domain),
        country: Set(country),
        address_line1: Set(address_line1),
        address_line2: Set(input
            .address_line2
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())),
        city: Set(city),
        postal_code: Set(postal_code),
        billing_contact_name: Set(contact_name),
        billing_contact_email: Set(contact_email),
        billing_contact_phone: Set(phone),
        language: Set(language),
        idempotency_key: Set(Some(key.clone())),
        azure_tenant_owner_id: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let customer = match inserted {
        Ok(c) => c,
        Err(e) if is_unique_violation(&e) => {
            drop(txn);
            // A concurrent submit with the same key won; answer with its result.
            if let Some(existing) = by_key(db, provider.id, &key).await? {
                return replay(db, existing).await;
            }
            return Err(domain_taken_error());
        }
        Err(e) => return Err(e.into()),
    };
    user::ActiveModel {
        email: Set(admin_user_name.clone()),
        name: Set(format!("{} administrator", customer.company_name)),
        password_hash: Set(hash),
        role: Set(UserRole::CustomerAdmin),
        preferred_language: Set(customer.language.clone()),
        partner_id: Set(None),
        customer_id: Set(Some(customer.id)),
        must_change_password: Set(true),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            domain_taken_error()
        } else {
            e.into()
        }
    })?;
    if let Some(reseller) = input.reseller_id {
        // The provider creates the customer and its first delegation together: ACTIVE.
        crate::admin_relationships::service::insert_active(
            &txn,
            who,
            &customer,
            reseller,
            &admin_roles,
            admin_days,
        )
        .await?;
    }
    let new_subscriptions = checked
        .lines
        .into_iter()
        .map(|line| NewSubscription {
            line,
            support_contact_partner_id: provider.id,
        })
        .collect();
    let order = orders::order_new_subscriptions(&txn, actor, &customer, new_subscriptions).await?;
    crate::audit::record(
        &txn,
        who,
        crate::audit::Change {
            action: EventType::CustomerCreated,
            target: crate::graphql::ids::NodeType::Customer,
            target_id: customer.id,
            summary: msg!(
                "audit-customer-created",
                customer = &customer.company_name,
                domain = &customer.domain
            ),
            subject_partner_id: customer.reseller_id,
        },
    )
    .await?;
    txn.commit().await?;
    tracing::info!(
        customer = customer.id,
        provider = provider.id,
        "customer created"
    );
    Ok(Created {
        customer,
        order: Some(order),
        admin_user_name,
        temporary_password: Some(temporary_password),
        replayed: false,
    })
}

/// The first delegation's roles and duration, checked at their own input fields.
fn delegation_problem(roles: &[entity::enums::AdminRole], days: i32) -> ApiResult<()> {
    if !(1..=crate::admin_relationships::service::MAX_DAYS).contains(&days) {
        return Err(ApiError::user(
            UserErrorCode::OutOfRange,
            &["input", "adminDurationDays"],
            msg!(
                "error-admin-relationship-duration",
                max = crate::admin_relationships::service::MAX_DAYS
            ),
        ));
    }
    if roles.is_empty() {
        return Err(ApiError::user(
            UserErrorCode::Invalid,
            &["input", "adminRoles"],
            msg!("error-admin-relationship-no-roles"),
        ));
    }
    Ok(())
}
