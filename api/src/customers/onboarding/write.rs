//! The writes of `createCustomer`, for one customer or many at once: a bulk import writes a
//! batch of checked customers with the same dozen statements one customer takes, instead
//! of a dozen per customer. One copy of the writes serves both (`write` is `write_many` of
//! one).

use super::{Created, Prepared};
use crate::audit::{Change, Who};
use crate::auth::{Actor, password};
use crate::customers::eligibility::require_active_partners;
use crate::customers::onboarding_checks::domain_taken_error;
use crate::customers::orders::{self, NewSubscription};
use crate::db::insert_many_returning;
use crate::error::{ApiError, ApiResult, is_unique_violation};
use crate::graphql::ids::NodeType;
use chrono::Utc;
use entity::enums::UserRole;
use entity::event_type::EventType;
use entity::{admin_relationship, customer, user};
use sea_orm::{DatabaseTransaction, EntityTrait, Set};
use worker::msg;

/// The writes, in the caller's transaction: the customer, its admin user (a new temporary
/// password, only its hash stored), the reseller's ACTIVE admin relationship, the order
/// and its subscriptions, the audit entries. A collision on the domain (or the key) is
/// `DOMAIN_TAKEN`; the caller's transaction is then unusable (roll it back).
pub async fn write(
    txn: &DatabaseTransaction,
    who: &Who,
    actor: &Actor,
    input: &Prepared,
) -> ApiResult<Created> {
    write_many(txn, who, actor, &[input])
        .await?
        .pop()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no customer was written")))
}

/// [`write`] for checked submits of one provider, in the order given: one statement per
/// kind of row whatever their number. Any refusal (a domain taken since the check, a
/// reseller no longer a partner) refuses them all, with the error one of them would get;
/// a caller that wants the others writes them one by one then.
pub async fn write_many(
    txn: &DatabaseTransaction,
    who: &Who,
    actor: &Actor,
    inputs: &[&Prepared],
) -> ApiResult<Vec<Created>> {
    let Some(first) = inputs.first() else {
        return Ok(Vec::new());
    };
    let provider_id = first.provider_id;
    if inputs.iter().any(|p| p.provider_id != provider_id) {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "customers of several providers written together"
        )));
    }
    // Each reseller named (usually one, for every line of every customer) is checked once,
    // all in one statement, in the transaction that designates them (see `eligibility`).
    let mut named: Vec<(i32, Vec<String>)> = Vec::new();
    for input in inputs {
        for (id, field) in input.named_resellers() {
            if !named.iter().any(|(n, _)| *n == id) {
                named.push((id, field));
            }
        }
    }
    let named: Vec<(i32, Vec<&str>)> = named
        .iter()
        .map(|(id, f)| (*id, f.iter().map(String::as_str).collect()))
        .collect();
    let named: Vec<(i32, &[&str])> = named.iter().map(|(id, f)| (*id, f.as_slice())).collect();
    require_active_partners(txn, provider_id, &named).await?;

    let now = Utc::now();
    let customers = insert_many_returning(
        txn,
        inputs
            .iter()
            .map(|input| new_customer(input, now))
            .collect(),
        |c: &customer::Model| c.id,
    )
    .await
    .map_err(taken_or)?;
    let passwords: Vec<String> = inputs
        .iter()
        .map(|_| password::generate_temporary())
        .collect();
    let admins = customers
        .iter()
        .zip(&passwords)
        .map(|(customer, temporary)| user::ActiveModel {
            email: Set(admin_user_name(&customer.domain)),
            name: Set(format!("{} administrator", customer.company_name)),
            password_hash: Set(password::hash_temporary(temporary)),
            role: Set(UserRole::CustomerAdmin),
            preferred_language: Set(customer.language.clone()),
            partner_id: Set(None),
            customer_id: Set(Some(customer.id)),
            must_change_password: Set(true),
            created_at: Set(now),
            ..Default::default()
        });
    user::Entity::insert_many(admins)
        .exec_without_returning(txn)
        .await
        .map_err(taken_or)?;

    // The provider creates the customer and its first delegation together: ACTIVE. The
    // customer already names that reseller (its only relationship), so unlike
    // `insert_active` there is nothing to refresh.
    let delegated: Vec<(&customer::Model, &&Prepared)> = customers
        .iter()
        .zip(inputs)
        .filter(|(_, input)| input.reseller_id.is_some())
        .collect();
    let relationships = insert_many_returning(
        txn,
        delegated
            .iter()
            .filter_map(|(customer, input)| {
                input.reseller_id.map(|reseller| {
                    crate::admin_relationships::service::new_active(
                        who,
                        customer,
                        reseller,
                        &input.admin_roles,
                        input.admin_days,
                        now,
                    )
                })
            })
            .collect(),
        |r: &admin_relationship::Model| r.id,
    )
    .await?;

    let orders = orders::order_new_subscriptions_many(
        txn,
        actor,
        customers
            .iter()
            .zip(inputs)
            .map(|(customer, input)| (customer, new_subscriptions(input)))
            .collect(),
    )
    .await?;

    // Per customer, its relationship's entry then its own (the order `write` always had).
    let mut changes = Vec::with_capacity(customers.len() * 2);
    let mut relationships = relationships.iter().zip(&delegated).peekable();
    for customer in &customers {
        if let Some((rel, _)) = relationships.next_if(|(_, (c, _))| c.id == customer.id) {
            changes.push(crate::admin_relationships::service::approved(
                who, rel, customer,
            ));
        }
        changes.push((who.clone(), created_change(customer)));
    }
    crate::audit::record_all(txn, changes).await?;

    Ok(customers
        .into_iter()
        .zip(orders)
        .zip(passwords)
        .map(
            |((customer, (order, subscriptions)), temporary_password)| Created {
                admin_user_name: admin_user_name(&customer.domain),
                customer,
                order: Some(order),
                subscriptions: Some(subscriptions),
                temporary_password: Some(temporary_password),
                replayed: false,
            },
        )
        .collect())
}

fn admin_user_name(domain: &str) -> String {
    format!("admin@{domain}")
}

fn new_customer(input: &Prepared, now: chrono::DateTime<Utc>) -> customer::ActiveModel {
    customer::ActiveModel {
        provider_id: Set(input.provider_id),
        reseller_id: Set(input.reseller_id),
        company_name: Set(input.company_name.clone()),
        domain: Set(input.domain.clone()),
        country: Set(input.country.clone()),
        address_line1: Set(input.address_line1.clone()),
        address_line2: Set(input.address_line2.clone()),
        city: Set(input.city.clone()),
        postal_code: Set(input.postal_code.clone()),
        billing_contact_name: Set(input.contact_name.clone()),
        billing_contact_email: Set(input.contact_email.clone()),
        billing_contact_phone: Set(input.phone.clone()),
        language: Set(input.language.clone()),
        idempotency_key: Set(Some(input.key.clone())),
        azure_tenant_owner_id: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
}

fn new_subscriptions(input: &Prepared) -> Vec<NewSubscription> {
    input
        .lines
        .iter()
        .cloned()
        .map(|line| NewSubscription {
            line,
            support_contact_partner_id: input.provider_id,
        })
        .collect()
}

fn created_change(customer: &customer::Model) -> Change {
    Change {
        action: EventType::CustomerCreated,
        target: NodeType::Customer,
        target_id: customer.id,
        summary: msg!(
            "audit-customer-created",
            customer = &customer.company_name,
            domain = &customer.domain
        ),
        subject_partner_id: customer.reseller_id,
    }
}

/// A unique violation of the customer or its admin account: the domain is taken.
fn taken_or(e: sea_orm::DbErr) -> ApiError {
    if is_unique_violation(&e) {
        domain_taken_error()
    } else {
        e.into()
    }
}
