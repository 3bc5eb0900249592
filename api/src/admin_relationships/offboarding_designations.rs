//! The subscription side of offboarding: the reseller's partner-of-record and
//! support-contact designations move to another partner reseller or are cleared, one audit
//! entry per subscription changed; and the email that tells the reseller's ADMINs.

use crate::audit::{self, Change, Who};
use crate::error::ApiResult;
use crate::graphql::ids::NodeType;
use chrono::Utc;
use entity::enums::{SubscriptionStatus, UserRole};
use entity::event_type::EventType;
use entity::{customer, partner, subscription, user};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use std::collections::HashMap;
use worker::compose::EmailContent;
use worker::msg;

pub const EMAIL_KIND: &str = "RESELLER_OFFBOARDED";

fn partner_arg(id: Option<i32>) -> String {
    id.map_or_else(
        || "none".to_owned(),
        |id| entity::audit_entry::global_id("Partner", id),
    )
}

/// Moves (to `to`) or clears the designations; returns (moved, cleared).
pub async fn reassign(
    txn: &DatabaseTransaction,
    who: &Who,
    provider_id: i32,
    reseller_id: i32,
    to: Option<i32>,
) -> ApiResult<(u64, u64)> {
    let now = Utc::now();
    let of_provider = Query::select()
        .column(customer::Column::Id)
        .from(customer::Entity)
        .and_where(customer::Column::ProviderId.eq(provider_id))
        .to_owned();
    let credited = super::lifecycle::update_returning(
        txn,
        subscription::Entity::update_many()
            .col_expr(subscription::Column::PartnerOfRecordId, Expr::value(to))
            .col_expr(subscription::Column::UpdatedAt, Expr::value(now))
            .filter(subscription::Column::Status.ne(SubscriptionStatus::Cancelled))
            .filter(subscription::Column::CustomerId.in_subquery(of_provider.clone()))
            .filter(subscription::Column::PartnerOfRecordId.eq(reseller_id)),
    )
    .await?;
    let contact = to.unwrap_or(provider_id);
    let supported = super::lifecycle::update_returning(
        txn,
        subscription::Entity::update_many()
            .col_expr(
                subscription::Column::SupportContactPartnerId,
                Expr::value(contact),
            )
            .col_expr(subscription::Column::UpdatedAt, Expr::value(now))
            .filter(subscription::Column::Status.ne(SubscriptionStatus::Cancelled))
            .filter(subscription::Column::CustomerId.in_subquery(of_provider))
            .filter(subscription::Column::SupportContactPartnerId.eq(reseller_id)),
    )
    .await?;
    let customer_ids: Vec<i32> = credited
        .iter()
        .chain(&supported)
        .map(|s| s.customer_id)
        .collect();
    let names: HashMap<i32, String> = if customer_ids.is_empty() {
        HashMap::new()
    } else {
        customer::Entity::find()
            .filter(customer::Column::Id.is_in(customer_ids))
            .all(txn)
            .await?
            .into_iter()
            .map(|c| (c.id, c.company_name))
            .collect()
    };
    let name = |s: &subscription::Model| names.get(&s.customer_id).cloned().unwrap_or_default();
    for sub in &credited {
        let summary = msg!("audit-partner-of-record-set", partner = partner_arg(to));
        entry(
            txn,
            who,
            sub,
            EventType::SubscriptionPartnerOfRecordSet,
            summary.arg("customer", name(sub)),
            reseller_id,
        )
        .await?;
    }
    for sub in &supported {
        let summary = msg!(
            "audit-support-contact-set",
            partner = partner_arg(Some(contact))
        );
        entry(
            txn,
            who,
            sub,
            EventType::SubscriptionSupportContactSet,
            summary.arg("customer", name(sub)),
            reseller_id,
        )
        .await?;
    }
    let changed = (credited.len() + supported.len()) as u64;
    Ok(if to.is_some() {
        (changed, 0)
    } else {
        (0, changed)
    })
}

async fn entry<C: ConnectionTrait>(
    db: &C,
    who: &Who,
    sub: &subscription::Model,
    action: EventType,
    summary: worker::i18n::Message,
    reseller_id: i32,
) -> ApiResult<()> {
    audit::record(
        db,
        who,
        Change {
            action,
            target: NodeType::Subscription,
            target_id: sub.id,
            summary,
            subject_partner_id: Some(reseller_id),
        },
    )
    .await
}

/// One email per active ADMIN of the reseller, in each one's language; returns their ids.
pub async fn tell_reseller_admins(
    txn: &DatabaseTransaction,
    provider_id: i32,
    reseller_id: i32,
    relationships: i64,
    relay_after_ms: u64,
) -> ApiResult<Vec<i32>> {
    let provider = partner::Entity::find_by_id(provider_id).one(txn).await?;
    let reseller = partner::Entity::find_by_id(reseller_id).one(txn).await?;
    let (Some(provider), Some(reseller)) = (provider, reseller) else {
        return Ok(Vec::new());
    };
    let admins = user::Entity::find()
        .filter(user::Column::PartnerId.eq(reseller_id))
        .filter(user::Column::Role.eq(UserRole::Admin))
        .filter(user::Column::DeactivatedAt.is_null())
        .all(txn)
        .await?;
    let content = EmailContent::ResellerOffboarded {
        provider: provider.company_name,
        reseller: reseller.company_name,
        relationships,
    };
    let mut ids = Vec::with_capacity(admins.len());
    for admin in admins {
        let lang = worker::i18n::Lang::nearest(&admin.preferred_language);
        let composed = content.compose(lang);
        ids.push(
            crate::outbox::write(
                txn,
                crate::outbox::Email {
                    kind: EMAIL_KIND,
                    to: &admin.email,
                    lang,
                    content: &content,
                    composed: &composed,
                    secret: None,
                },
                relay_after_ms,
            )
            .await?,
        );
    }
    Ok(ids)
}
