//! `createCustomer`: the New customer wizard's submit. One transaction creates the customer,
//! its admin user (`admin@<domain>`, temporary password), the order and its subscriptions —
//! all or nothing. An idempotency key makes a retried submit return the first customer.
//! Its reads before the writes are two statements: the collisions (`onboarding_checks`) and
//! the offers where the customer is (`pricing`); the named resellers are checked inside the
//! write transaction (`eligibility`), and an order for a reseller reads its prices in one
//! statement.

mod fields;
mod write;

pub use write::{write, write_many};

use super::eligibility::ordering_provider;
pub use super::onboarding_checks::replay_of;
use super::onboarding_checks::{by_key, claims_many, replay};
pub use super::onboarding_checks::{domain_taken, normalize_domain};
use super::pricing::{self, LineRequest};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::graphql::user_error::UserErrorCode;
use entity::{customer, order, subscription};
use sea_orm::{ConnectionTrait, DatabaseConnection};
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
    /// The subscriptions this call created (none read back on a replay): the payload's
    /// `customer.subscriptions` answers from them instead of reading them again.
    pub subscriptions: Option<Vec<subscription::Model>>,
    pub admin_user_name: String,
    /// Only on the call that created the customer; never stored or shown again.
    pub temporary_password: Option<String>,
    /// True when an earlier call with the same key had already created it.
    pub replayed: bool,
}

/// A submit checked against the database (fields, offers, collisions), ready to write.
pub struct Prepared {
    provider_id: i32,
    key: String,
    company_name: String,
    domain: String,
    country: String,
    address_line1: String,
    address_line2: Option<String>,
    city: String,
    postal_code: String,
    contact_name: String,
    contact_email: String,
    phone: Option<String>,
    language: String,
    reseller_id: Option<i32>,
    admin_roles: Vec<entity::enums::AdminRole>,
    admin_days: i32,
    lines: Vec<pricing::PricedLine>,
}

impl Prepared {
    pub fn company_name(&self) -> &str {
        &self.company_name
    }
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The resellers the submit names (delegated administrator, partners of record), each
    /// once, with the input field that names it first.
    pub fn named_resellers(&self) -> Vec<(i32, Vec<String>)> {
        let field = |parts: &[&str]| parts.iter().map(|p| (*p).to_owned()).collect();
        let mut named: Vec<(i32, Vec<String>)> = Vec::new();
        if let Some(reseller) = self.reseller_id {
            named.push((reseller, field(&["input", "indirectResellerId"])));
        }
        for (i, line) in self.lines.iter().enumerate() {
            if let Some(por) = line.partner_of_record_id
                && !named.iter().any(|(id, _)| *id == por)
            {
                let n = i.to_string();
                named.push((por, field(&["input", "lines", &n, "partnerOfRecordId"])));
            }
        }
        named
    }
}

/// What [`prepare`] found: the key was used already (that customer), or a new customer.
pub enum Checked {
    Replay(i32),
    Ready(Box<Prepared>),
}

/// `createCustomer`, and each customer of a bulk import (`customer_imports`): the same
/// checks ([`prepare`]) and the same writes ([`write`]), in one transaction.
pub async fn create(
    db: &DatabaseConnection,
    who: &crate::audit::Who,
    actor: &Actor,
    input: NewCustomer,
) -> ApiResult<Created> {
    let provider = ordering_provider(actor)?;
    let prepared = match prepare(db, provider.id, input).await? {
        Checked::Replay(existing) => return replay_of(db, existing).await,
        Checked::Ready(prepared) => prepared,
    };
    let txn = migration::database::begin_write(db).await?;
    match write(&txn, who, actor, &prepared).await {
        Ok(created) => {
            txn.commit().await?;
            tracing::info!(
                customer = created.customer.id,
                provider = prepared.provider_id,
                "customer created"
            );
            Ok(created)
        }
        Err(ApiError::User(e)) if e.code == UserErrorCode::DomainTaken => {
            drop(txn);
            // A concurrent submit with the same key won; answer with its result.
            match by_key(db, prepared.provider_id, &prepared.key).await? {
                Some(existing) => replay(db, existing).await,
                None => Err(ApiError::User(e)),
            }
        }
        Err(e) => Err(e),
    }
}

/// The reads before the writes, writing nothing: the key's replay, every field, the
/// offers where the customer is, the domain's collisions. The first problem is the answer.
pub async fn prepare<C: ConnectionTrait>(
    db: &C,
    provider_id: i32,
    input: NewCustomer,
) -> ApiResult<Checked> {
    prepare_many(db, provider_id, vec![input])
        .await?
        .pop()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no submit was checked")))?
}

/// [`prepare`] for many submits of one provider (a bulk import's batch), each with its own
/// answer, the reads shared: one statement for every collision of them all, one for the
/// offers of each country (`pricing::Catalog`). `Err`: the database failed.
pub async fn prepare_many<C: ConnectionTrait>(
    db: &C,
    provider_id: i32,
    inputs: Vec<NewCustomer>,
) -> ApiResult<Vec<ApiResult<Checked>>> {
    let keys: Vec<ApiResult<String>> = inputs
        .iter()
        .map(|input| {
            let key = input.idempotency_key.trim();
            if key.is_empty() || key.len() > 128 {
                Err(ApiError::user(
                    UserErrorCode::Invalid,
                    &["input", "idempotencyKey"],
                    msg!("error-idempotency-key"),
                ))
            } else {
                Ok(key.to_owned())
            }
        })
        .collect();
    let domains: Vec<ApiResult<String>> = inputs
        .iter()
        .map(|input| normalize_domain(&input.domain))
        .collect();
    // One statement for every collision a submit can have (see `onboarding_checks`); the
    // refusals keep their order: a used key replays before anything is validated.
    let asks: Vec<(Option<&str>, Option<&str>)> = keys
        .iter()
        .zip(&domains)
        .map(|(key, domain)| match key {
            Ok(key) => (Some(key.as_str()), domain.as_deref().ok()),
            Err(_) => (None, None),
        })
        .collect();
    let claims = claims_many(db, provider_id, &asks).await?;
    let mut catalog = pricing::Catalog::default();
    let mut answers = Vec::with_capacity(inputs.len());
    for (((input, key), domain), claims) in inputs.into_iter().zip(keys).zip(domains).zip(claims) {
        let answer = match key {
            Err(e) => Err(e),
            Ok(key) => {
                fields::check_one(db, &mut catalog, provider_id, input, key, domain, claims).await
            }
        };
        answers.push(answer);
    }
    Ok(answers)
}
