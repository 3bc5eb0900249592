//! The fields of one `createCustomer` submit, checked after its collisions were read: each
//! refusal names its input field; the first problem is the answer.

use super::{Checked, NewCustomer, Prepared};
use crate::accounts::validate;
use crate::customers::onboarding_checks::{Claims, by_key, domain_taken_error};
use crate::customers::pricing;
use crate::error::{ApiError, ApiResult};
use crate::graphql::user_error::UserErrorCode;
use sea_orm::ConnectionTrait;
use worker::msg;

/// Every field of one submit, after its collisions were read.
pub(super) async fn check_one<C: ConnectionTrait>(
    db: &C,
    catalog: &mut pricing::Catalog,
    provider_id: i32,
    input: NewCustomer,
    key: String,
    domain: ApiResult<String>,
    claims: Claims,
) -> ApiResult<Checked> {
    if let Some(existing) = claims.by_key {
        return Ok(Checked::Replay(existing));
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
    let checked = pricing::check_in(db, catalog, &country, &input.lines).await?;
    if let Some(problem) = checked.problems.into_iter().next() {
        return Err(ApiError::User(problem));
    }
    if claims.domain_taken {
        // A concurrent submit with this key may have just created it: that is a replay.
        return match by_key(db, provider_id, &key).await? {
            Some(existing) => Ok(Checked::Replay(existing.id)),
            None => Err(domain_taken_error()),
        };
    }
    Ok(Checked::Ready(Box::new(Prepared {
        provider_id,
        key,
        company_name,
        domain,
        country,
        address_line1,
        address_line2: input
            .address_line2
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()),
        city,
        postal_code,
        contact_name,
        contact_email,
        phone,
        language,
        reseller_id: input.reseller_id,
        admin_roles,
        admin_days,
        lines: checked.lines,
    })))
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
