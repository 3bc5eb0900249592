//! Checking and pricing order lines against the catalog: the offer exists, is sold in the
//! customer's country, and the quantity is within the offer's limits. Used by the review
//! step (`previewOrder`, which writes nothing) and by every order.

use crate::graphql::user_error::{UserError, UserErrorCode};
use entity::terms::TermDuration;
use entity::{offer, offer_country};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, IntoCondition, JoinType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryResult,
    QuerySelect, RelationTrait,
};
use std::collections::{HashMap, HashSet};
use worker::i18n::Message;
use worker::msg;

#[derive(Debug, Clone)]
pub struct LineRequest {
    pub offer_id: i32,
    pub quantity: i32,
    /// Reseller credited for the new subscription.
    pub partner_of_record_id: Option<i32>,
    /// The commitment term asked for; the offer's first when absent.
    pub term: Option<TermDuration>,
    /// Renew at the term's end (the default).
    pub auto_renew: bool,
}

#[derive(Debug, Clone)]
pub struct PricedLine {
    pub offer: offer::Model,
    pub quantity: i32,
    pub partner_of_record_id: Option<i32>,
    /// The term the subscription is bought for (one of the offer's).
    pub term: TermDuration,
    pub auto_renew: bool,
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

const SOLD_HERE: &str = "sold_here";

/// An offer and whether it is sold in the country asked about.
#[derive(Clone)]
struct OfferInCountry {
    offer: offer::Model,
    sold_here: bool,
}

impl FromQueryResult for OfferInCountry {
    fn from_query_result(row: &QueryResult, pre: &str) -> Result<Self, DbErr> {
        Ok(Self {
            offer: offer::Model::from_query_result(row, pre)?,
            sold_here: row.try_get::<Option<i32>>(pre, SOLD_HERE)?.is_some(),
        })
    }
}

/// One statement: the offers, each joined with its row for `country` if it is sold there.
async fn offers_in<C: ConnectionTrait>(
    db: &C,
    country: &str,
    ids: Vec<i32>,
) -> Result<Vec<OfferInCountry>, DbErr> {
    let (sold, in_country) = (Alias::new("sold"), country.to_owned());
    offer::Entity::find()
        .filter(offer::Column::Id.is_in(ids))
        .join_as(
            JoinType::LeftJoin,
            offer::Relation::OfferCountry
                .def()
                .on_condition(move |_, sold| {
                    Expr::col((sold, offer_country::Column::Country))
                        .eq(in_country.clone())
                        .into_condition()
                }),
            sold.clone(),
        )
        .expr_as(Expr::col((sold, offer_country::Column::OfferId)), SOLD_HERE)
        .into_model()
        .all(db)
        .await
}

pub async fn check<C: ConnectionTrait>(
    db: &C,
    country: &str,
    requests: &[LineRequest],
) -> Result<Checked, DbErr> {
    check_in(db, &mut Catalog::default(), country, requests).await
}

/// The catalog rows [`check_in`] read, kept for the next check of the same offers in the
/// same country: a bulk import's batch reads them once, not once per customer. It lives as
/// long as the caller's transaction.
#[derive(Default)]
pub struct Catalog {
    read: HashMap<(String, Vec<i32>), Vec<OfferInCountry>>,
}

/// [`check`], reading the offers through `catalog`.
pub async fn check_in<C: ConnectionTrait>(
    db: &C,
    catalog: &mut Catalog,
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
    let mut ids: Vec<i32> = requests.iter().map(|l| l.offer_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let memo = (country.to_owned(), ids);
    let rows = match catalog.read.get(&memo) {
        Some(rows) => rows.clone(),
        None => {
            let rows = offers_in(db, country, memo.1.clone()).await?;
            catalog.read.insert(memo, rows.clone());
            rows
        }
    };
    let sold_here: HashSet<i32> = rows
        .iter()
        .filter(|r| r.sold_here)
        .map(|r| r.offer.id)
        .collect();
    let offers: HashMap<i32, offer::Model> =
        rows.into_iter().map(|r| (r.offer.id, r.offer)).collect();

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
        let terms = offer.term_list();
        let term = req.term.unwrap_or_else(|| offer.default_term());
        if !terms.contains(&term) {
            let names: Vec<&str> = terms.iter().map(|t| t.code()).collect();
            problems.push(UserError::new(
                UserErrorCode::Invalid,
                &at("term"),
                msg!(
                    "error-term-not-offered",
                    offer = &offer.name,
                    term = term.code(),
                    terms = names.join(", ")
                ),
            ));
        }
        lines.push(PricedLine {
            offer: offer.clone(),
            quantity: req.quantity,
            partner_of_record_id: req.partner_of_record_id,
            term,
            auto_renew: req.auto_renew,
        });
    }
    Ok(Checked { lines, problems })
}
