//! Checking and pricing order lines against the catalog: the offer exists, is sold in the
//! customer's country, and the quantity is within the offer's limits. Used by the review
//! step (`previewOrder`, which writes nothing) and by every order.

use crate::graphql::user_error::{UserError, UserErrorCode};
use entity::{offer, offer_country};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use std::collections::{HashMap, HashSet};
use worker::i18n::Message;
use worker::msg;

#[derive(Debug, Clone)]
pub struct LineRequest {
    pub offer_id: i32,
    pub quantity: i32,
    /// Reseller credited for the new subscription.
    pub partner_of_record_id: Option<i32>,
}

#[derive(Debug, Clone)]
pub struct PricedLine {
    pub offer: offer::Model,
    pub quantity: i32,
    pub partner_of_record_id: Option<i32>,
}

impl PricedLine {
    pub fn monthly_total_minor(&self) -> i64 {
        self.offer.monthly_unit_price_minor * i64::from(self.quantity)
    }
}

pub struct Checked {
    pub lines: Vec<PricedLine>,
    /// Every problem found, each pointing at its line (`["input", "lines", "2", "quantity"]`).
    pub problems: Vec<UserError>,
}

/// The quantity rule of one offer, shared with quantity changes of a subscription.
pub fn quantity_problem(offer: &offer::Model, quantity: i32) -> Option<Message> {
    (quantity < offer.min_quantity || quantity > offer.max_quantity).then(|| {
        msg!(
            "error-quantity-range",
            offer = &offer.name,
            min = offer.min_quantity,
            max = offer.max_quantity
        )
    })
}

/// Most lines one order may have.
pub const MAX_LINES: usize = 100;

pub async fn check<C: ConnectionTrait>(
    db: &C,
    country: &str,
    requests: &[LineRequest],
) -> Result<Checked, DbErr> {
    if requests.len() > MAX_LINES {
        return Ok(Checked {
            lines: Vec::new(),
            problems: vec![UserError::new(
                UserErrorCode::OutOfRange,
                &["input", "lines"],
                msg!("error-order-too-many-lines", max = MAX_LINES),
            )],
        });
    }
    let ids: Vec<i32> = requests.iter().map(|l| l.offer_id).collect();
    let offers: HashMap<i32, offer::Model> = offer::Entity::find()
        .filter(offer::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let sold_here: HashSet<i32> = offer_country::Entity::find()
        .filter(offer_country::Column::OfferId.is_in(ids))
        .filter(offer_country::Column::Country.eq(country))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.offer_id)
        .collect();

    let mut lines = Vec::with_capacity(requests.len());
    let mut problems = Vec::new();
    for (i, req) in requests.iter().enumerate() {
        let index = i.to_string();
        let at = |field: &'static str| ["input", "lines", index.as_str(), field];
        let Some(offer) = offers.get(&req.offer_id) else {
            problems.push(UserError::new(
                UserErrorCode::Invalid,
                &at("offerId"),
                msg!("error-no-such-offer"),
            ));
            continue;
        };
        if !sold_here.contains(&offer.id) {
            problems.push(UserError::new(
                UserErrorCode::OfferNotAvailable,
                &at("offerId"),
                msg!("error-not-sold-in", offer = &offer.name, country = country),
            ));
        }
        if let Some(why) = quantity_problem(offer, req.quantity) {
            problems.push(UserError::new(
                UserErrorCode::OutOfRange,
                &at("quantity"),
                why,
            ));
        }
        lines.push(PricedLine {
            offer: offer.clone(),
            quantity: req.quantity,
            partner_of_record_id: req.partner_of_record_id,
        });
    }
    Ok(Checked { lines, problems })
}
