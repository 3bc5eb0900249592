//! Changing price lists, without HTTP: creating a list, adding a price version, assigning
//! a list to resellers. Each change is one audit entry in its transaction; versions are
//! only ever added, never edited, so a recorded price can always be explained.

use super::markup;
use crate::audit::{self, Change, Who};
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::NodeType;
use crate::graphql::user_error::UserErrorCode;
use chrono::{DateTime, Duration, Utc};
use entity::enums::PartnershipStatus;
use entity::event_type::EventType;
use entity::{offer, partnership, price_list, price_list_price, price_list_reseller};
use migration::database::begin_write;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Select, Set,
};
use worker::msg;

pub const MAX_NAME: usize = 200;
/// Most resellers one `assignPriceList` may name.
pub const MAX_ASSIGN: usize = 100;
/// How far in the past an `effectiveFrom` may be and still count as "now" (clock skew
/// between a client and the server).
const NOW_TOLERANCE_SECONDS: i64 = 300;

/// The provider's lists, for `priceLists`.
pub fn list(provider_id: i32) -> Select<price_list::Entity> {
    price_list::Entity::find().filter(price_list::Column::ProviderId.eq(provider_id))
}

/// One of the provider's lists; any other id is `NOT_FOUND`.
pub async fn own<C: ConnectionTrait>(
    db: &C,
    provider_id: i32,
    id: i32,
) -> ApiResult<price_list::Model> {
    list(provider_id)
        .filter(price_list::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A new list; a new default list takes over from the previous default (one per provider).
pub async fn create(
    db: &DatabaseConnection,
    who: &Who,
    provider_id: i32,
    name: &str,
    is_default: bool,
) -> ApiResult<price_list::Model> {
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(ApiError::user(
            UserErrorCode::Invalid,
            &["input", "name"],
            msg!("error-price-list-name", max = MAX_NAME),
        ));
    }
    let txn = begin_write(db).await?;
    if is_default {
        price_list::Entity::update_many()
            .col_expr(price_list::Column::IsDefault, Expr::value(false))
            .filter(price_list::Column::ProviderId.eq(provider_id))
            .filter(price_list::Column::IsDefault.eq(true))
            .exec(&txn)
            .await?;
    }
    let created = price_list::ActiveModel {
        provider_id: Set(provider_id),
        name: Set(name),
        is_default: Set(is_default),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let summary = msg!("audit-price-list-created", name = created.name.clone());
    record(&txn, who, EventType::PriceListCreated, &created, summary).await?;
    txn.commit().await?;
    Ok(created)
}

/// What `setResellerPrice` asks for (the list and offer already resolved).
pub struct NewPrice {
    /// A fixed unit price: amount in minor units and its currency.
    pub unit_price: Option<(i64, String)>,
    /// A markup as the client wrote it (`"-12.5"`).
    pub markup_percent: Option<String>,
    pub effective_from: Option<DateTime<Utc>>,
}

/// Adds a version of the list's price for the offer, in force from `effective_from`.
pub async fn set_price(
    db: &DatabaseConnection,
    who: &Who,
    list: &price_list::Model,
    offer: &offer::Model,
    new: NewPrice,
) -> ApiResult<price_list_price::Model> {
    let (unit_price_minor, markup_percent_e4) = amount(offer, &new)?;
    let now = Utc::now();
    let effective_from = new.effective_from.unwrap_or(now);
    if effective_from < now - Duration::seconds(NOW_TOLERANCE_SECONDS) {
        return Err(ApiError::user(
            UserErrorCode::OutOfRange,
            &["input", "effectiveFrom"],
            msg!("error-price-effective-from-past"),
        ));
    }
    let txn = begin_write(db).await?;
    let price = price_list_price::ActiveModel {
        price_list_id: Set(list.id),
        offer_id: Set(offer.id),
        unit_price_minor: Set(unit_price_minor),
        markup_percent_e4: Set(markup_percent_e4),
        currency: Set(offer.currency.clone()),
        effective_from: Set(effective_from),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let summary = msg!(
        "audit-reseller-price-set",
        name = list.name.clone(),
        offer = offer.name.clone(),
        from = effective_from.to_rfc3339()
    );
    record(&txn, who, EventType::ResellerPriceSet, list, summary).await?;
    txn.commit().await?;
    Ok(price)
}

/// Exactly one of a unit price (in the offer's currency, not negative) and a markup.
fn amount(offer: &offer::Model, new: &NewPrice) -> ApiResult<(Option<i64>, Option<i64>)> {
    match (&new.unit_price, &new.markup_percent) {
        (Some((minor, currency)), None) => {
            if !currency.eq_ignore_ascii_case(&offer.currency) {
                return Err(ApiError::user(
                    UserErrorCode::Invalid,
                    &["input", "unitPrice", "currency"],
                    msg!("error-price-currency", currency = offer.currency.clone()),
                ));
            }
            if *minor < 0 {
                return Err(ApiError::user(
                    UserErrorCode::OutOfRange,
                    &["input", "unitPrice", "amountMinor"],
                    msg!("error-price-negative"),
                ));
            }
            Ok((Some(*minor), None))
        }
        (None, Some(text)) => match markup::parse(text) {
            Some(e4) => Ok((None, Some(e4))),
            None => Err(ApiError::user(
                UserErrorCode::Invalid,
                &["input", "markupPercent"],
                msg!(
                    "error-price-markup",
                    min = markup::MIN_PERCENT,
                    max = markup::MAX_PERCENT
                ),
            )),
        },
        _ => Err(ApiError::user(
            UserErrorCode::Invalid,
            &["input"],
            msg!("error-price-one-of"),
        )),
    }
}

/// Assigns the list to resellers that are ACTIVE partners of its provider; each moves off
/// any other list of that provider (one list per reseller and provider).
pub async fn assign(
    db: &DatabaseConnection,
    who: &Who,
    list: &price_list::Model,
    reseller_ids: &[i32],
) -> ApiResult<()> {
    if reseller_ids.is_empty() || reseller_ids.len() > MAX_ASSIGN {
        return Err(ApiError::user(
            UserErrorCode::OutOfRange,
            &["input", "resellerIds"],
            msg!("error-price-list-assign-count", max = MAX_ASSIGN),
        ));
    }
    let txn = begin_write(db).await?;
    let partners: Vec<i32> = partnership::Entity::find()
        .filter(partnership::Column::ProviderId.eq(list.provider_id))
        .filter(partnership::Column::Status.eq(PartnershipStatus::Active))
        .filter(partnership::Column::ResellerId.is_in(reseller_ids.to_vec()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|p| p.reseller_id)
        .collect();
    if let Some(i) = reseller_ids.iter().position(|id| !partners.contains(id)) {
        return Err(ApiError::user(
            UserErrorCode::ResellerNotPartner,
            &["input", "resellerIds", &i.to_string()],
            msg!("error-reseller-not-partner"),
        ));
    }
    let now = Utc::now();
    for &reseller_id in reseller_ids {
        price_list_reseller::Entity::insert(price_list_reseller::ActiveModel {
            price_list_id: Set(list.id),
            provider_id: Set(list.provider_id),
            reseller_id: Set(reseller_id),
            assigned_at: Set(now),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([
                price_list_reseller::Column::ProviderId,
                price_list_reseller::Column::ResellerId,
            ])
            .update_columns([
                price_list_reseller::Column::PriceListId,
                price_list_reseller::Column::AssignedAt,
            ])
            .to_owned(),
        )
        .exec(&txn)
        .await?;
    }
    let summary = msg!(
        "audit-price-list-assigned",
        name = list.name.clone(),
        count = reseller_ids.len()
    );
    record(&txn, who, EventType::PriceListAssigned, list, summary).await?;
    txn.commit().await?;
    Ok(())
}

async fn record<C: ConnectionTrait>(
    db: &C,
    who: &Who,
    action: EventType,
    list: &price_list::Model,
    summary: worker::i18n::Message,
) -> ApiResult<()> {
    audit::record(
        db,
        who,
        Change {
            action,
            target: NodeType::PriceList,
            target_id: list.id,
            summary,
            subject_partner_id: Some(list.provider_id),
        },
    )
    .await
}
