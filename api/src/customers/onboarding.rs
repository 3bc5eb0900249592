//! `createCustomer`: the New customer wizard's submit. One transaction creates the customer,
//! its admin user (`admin@<domain>`, temporary password), the order and its subscriptions —
//! all or nothing. An idempotency key makes a retried submit return the first customer.

use super::eligibility::{ordering_provider, require_active_partner};
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
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
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

/// Lower-cased domain of letters, digits and hyphens with at least one dot.
pub fn normalize_domain(raw: &str) -> ApiResult<String> {
    let domain = raw.trim().trim_end_matches('.').to_lowercase();
    let labels_ok = domain.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    if domain.len() <= 253 && domain.contains('.') && labels_ok {
        Ok(domain)
    } else {
        Err(ApiError::user(
            UserErrorCode::Invalid,
            &["input", "domain"],
            msg!("error-domain"),
        ))
    }
}

/// True when a customer uses the domain, or its admin account name is already someone's.
pub async fn domain_taken<C: ConnectionTrait>(db: &C, domain: &str) -> ApiResult<bool> {
    let customer = customer::Entity::find()
        .filter(customer::Column::Domain.eq(domain))
        .one(db)
        .await?;
    let admin = user::Entity::find()
        .filter(user::Column::Email.eq(format!("admin@{domain}")))
        .one(db)
        .await?;
    Ok(customer.is_some() || admin.is_some())
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
    if let Some(existing) = by_key(db, provider.id, &key).await? {
        return replay(db, existing).await;
    }

    let company_name = validate::name(&input.company_name, 200, &["input", "companyName"])?;
    let domain = normalize_domain(&input.domain)?;
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
    let checked = pricing::check(db, &country, &input.lines).await?;
    if let Some(problem) = checked.problems.into_iter().next() {
        return Err(ApiError::User(problem));
    }
    if domain_taken(db, &domain).await? {
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
    // Each reseller named (usually one, for every line) is checked once, in the transaction
    // that designates it (see `eligibility`).
    let mut checked_resellers = Vec::new();
    if let Some(reseller) = input.reseller_id {
        require_active_partner(
            &txn,
            provider.id,
            reseller,
            &["input", "indirectResellerId"],
        )
        .await?;
        checked_resellers.push(reseller);
    }
    for (i, line) in checked.lines.iter().enumerate() {
        if let Some(por) = line.partner_of_record_id
            && !checked_resellers.contains(&por)
        {
            checked_resellers.push(por);
            let index = i.to_string();
            require_active_partner(
                &txn,
                provider.id,
                por,
                &["input", "lines", &index, "partnerOfRecordId"],
            )
            .await?;
        }
    }
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
            summary: format!(
                "Customer {} ({}) created with its admin account",
                customer.company_name, customer.domain
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

fn domain_taken_error() -> ApiError {
    ApiError::user(
        UserErrorCode::DomainTaken,
        &["input", "domain"],
        msg!("error-domain-taken"),
    )
}

async fn by_key<C: ConnectionTrait>(
    db: &C,
    provider_id: i32,
    key: &str,
) -> ApiResult<Option<customer::Model>> {
    Ok(customer::Entity::find()
        .filter(customer::Column::ProviderId.eq(provider_id))
        .filter(customer::Column::IdempotencyKey.eq(key))
        .one(db)
        .await?)
}

/// The first result of a retried submit: same customer and order, no password.
async fn replay<C: ConnectionTrait>(db: &C, existing: customer::Model) -> ApiResult<Created> {
    use sea_orm::QueryOrder;
    let order = order::Entity::find()
        .filter(order::Column::CustomerId.eq(existing.id))
        .order_by_asc(order::Column::Id)
        .one(db)
        .await?;
    Ok(Created {
        admin_user_name: format!("admin@{}", existing.domain),
        customer: existing,
        order,
        temporary_password: None,
        replayed: true,
    })
}
