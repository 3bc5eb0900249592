//! `placeOrder`: one order for an existing customer, with new subscriptions (partner of
//! record per line) and more licenses for existing ones, all or nothing.

use super::access::{self, Standing};
use super::eligibility::{ordering_provider, require_active_partner};
use super::orders::{self, NewSubscription};
use super::pricing::{self, LineRequest};
use super::subscriptions::{changed_meanwhile, offer_of, other_party};
use crate::audit::{self, Change, Who};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::NodeType;
use crate::graphql::user_error::UserErrorCode;
use chrono::Utc;
use entity::enums::{AdminRole, OrderLineKind, SubscriptionStatus};
use entity::event_type::EventType;
use entity::{order, subscription};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use worker::msg;

/// A line of `placeOrder`: a new subscription (`offer_id`) or more licenses for an existing
/// one (`subscription_id`).
pub struct OrderLine {
    pub offer_id: Option<i32>,
    pub subscription_id: Option<i32>,
    pub quantity: i32,
    pub partner_of_record_id: Option<i32>,
    pub term: Option<entity::terms::TermDuration>,
    pub auto_renew: bool,
}

/// Provider (ADMIN or SALES_AGENT), or a reseller with `ORDER_MANAGER`: one order for an
/// existing customer.
pub async fn place_order(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    customer_id: i32,
    lines: Vec<OrderLine>,
) -> ApiResult<order::Model> {
    // Visibility first: a foreign id answers NOT_FOUND whatever the caller's role.
    let (cust, standing) = access::find_customer(db, actor, customer_id).await?;
    // The provider orders as itself; a reseller with ORDER_MANAGER for the provider (checked
    // again, locked, when the order is written).
    let provider_id = match standing {
        Standing::Provider => {
            let provider = ordering_provider(actor)?;
            if cust.provider_id != provider.id {
                return Err(ApiError::Forbidden("PROVIDER_ONLY"));
            }
            provider.id
        }
        Standing::DelegatedReseller(_) => {
            crate::admin_relationships::access::check(actor, standing, AdminRole::OrderManager)?;
            cust.provider_id
        }
        Standing::Customer => return Err(ApiError::Forbidden("PROVIDER_ONLY")),
    };
    if lines.is_empty() {
        return Err(ApiError::user(
            UserErrorCode::Invalid,
            &["input", "lines"],
            msg!("error-order-needs-line"),
        ));
    }
    let mut new = Vec::new();
    // The input index of each new line, for error fields.
    let mut new_index = Vec::new();
    let mut more = Vec::new();
    for (i, line) in lines.into_iter().enumerate() {
        let index = i.to_string();
        match (line.offer_id, line.subscription_id) {
            (Some(offer_id), None) => {
                new_index.push(index);
                new.push(LineRequest {
                    offer_id,
                    quantity: line.quantity,
                    partner_of_record_id: line.partner_of_record_id,
                    term: line.term,
                    auto_renew: line.auto_renew,
                });
            }
            (None, Some(_)) if line.partner_of_record_id.is_some() => {
                return Err(ApiError::user(
                    UserErrorCode::Invalid,
                    &["input", "lines", &index, "partnerOfRecordId"],
                    msg!("error-credit-existing"),
                ));
            }
            (None, Some(sub_id)) => more.push((index, sub_id, line.quantity)),
            _ => {
                return Err(ApiError::user(
                    UserErrorCode::Invalid,
                    &["input", "lines", &index],
                    msg!("error-order-line-kind"),
                ));
            }
        }
    }
    let checked = pricing::check(db, &cust.country, &new).await?;
    if let Some(problem) = checked.problems.into_iter().next() {
        return Err(ApiError::User(problem));
    }
    let txn = migration::database::begin_write(db).await?;
    // The customer row is locked for share: a relationship change waits for this order.
    crate::admin_relationships::access::require_role(&txn, actor, cust.id, AdminRole::OrderManager)
        .await?;
    if standing != Standing::Provider {
        super::eligibility::require_active_provider(&txn, provider_id, &["input", "customerId"])
            .await?;
    }
    for (line, index) in new.iter().zip(&new_index) {
        if let Some(por) = line.partner_of_record_id {
            require_active_partner(
                &txn,
                provider_id,
                por,
                &["input", "lines", index, "partnerOfRecordId"],
            )
            .await?;
        }
    }
    let order = orders::order_new_subscriptions(
        &txn,
        actor,
        &cust,
        checked
            .lines
            .into_iter()
            .map(|line| NewSubscription {
                line,
                support_contact_partner_id: provider_id,
            })
            .collect(),
    )
    .await?;
    for (index, sub_id, added) in more {
        let field = ["input", "lines", index.as_str(), "quantity"];
        let sub = subscription::Entity::find_by_id(sub_id)
            .filter(subscription::Column::CustomerId.eq(cust.id))
            .one(&txn)
            .await?
            .ok_or(ApiError::NotFound)?;
        if sub.status != SubscriptionStatus::Active {
            return Err(ApiError::user(
                UserErrorCode::InvalidState,
                &field,
                msg!("error-licenses-active-only"),
            ));
        }
        let offer = offer_of(&txn, sub.offer_id).await?;
        let total = sub.quantity.saturating_add(added);
        if added < 1 {
            return Err(ApiError::user(
                UserErrorCode::OutOfRange,
                &field,
                msg!("error-at-least-one-license"),
            ));
        }
        if let Some(why) = pricing::quantity_problem(&offer, total) {
            return Err(ApiError::user(UserErrorCode::OutOfRange, &field, why));
        }
        let written = subscription::Entity::update_many()
            .col_expr(subscription::Column::Quantity, Expr::value(total))
            .col_expr(subscription::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(subscription::Column::Id.eq(sub.id))
            .filter(subscription::Column::Status.eq(SubscriptionStatus::Active))
            .filter(subscription::Column::Quantity.eq(sub.quantity))
            .exec(&txn)
            .await?
            .rows_affected
            == 1;
        if !written {
            return Err(changed_meanwhile());
        }
        let updated = subscription::Entity::find_by_id(sub.id)
            .one(&txn)
            .await?
            .ok_or(ApiError::NotFound)?;
        orders::add_line(
            &txn,
            &order,
            OrderLineKind::AddQuantity,
            updated.id,
            &offer,
            added,
        )
        .await?;
    }
    audit::record(
        &txn,
        who,
        Change {
            action: EventType::OrderPlaced,
            target: NodeType::Order,
            target_id: order.id,
            summary: msg!("audit-order-placed", customer = &cust.company_name),
            subject_partner_id: other_party(who, &cust),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(order)
}
