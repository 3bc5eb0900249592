//! `Partnership.margin(month:)`: the month's order lines placed on the reseller's behalf,
//! valued at the list prices and at the reseller's prices recorded on them, summed in the
//! database (integers; a line recorded before price lists counts at its list price).

use crate::catalog::Money;
use crate::error::{ApiError, ApiResult};
use async_graphql::SimpleObject;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use entity::{order, order_line};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationDef,
};
use worker::msg;

/// What a reseller's month of orders is worth at list and at its prices.
#[derive(SimpleObject)]
pub struct PartnershipMargin {
    /// The lines at the list prices recorded on them.
    list_value: Money,
    /// The lines at the reseller's prices recorded on them.
    reseller_value: Money,
    /// List value minus reseller value: what the reseller's prices leave it.
    difference: Money,
}

/// `"2026-12"` → the first instant of that month and of the next (UTC).
pub fn month(text: &str) -> ApiResult<(DateTime<Utc>, DateTime<Utc>)> {
    let bad = || ApiError::Invalid(msg!("error-margin-month"));
    let (y, m) = text.split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || m.len() != 2 {
        return Err(bad());
    }
    let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    let first = NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)?;
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    }
    .ok_or_else(bad)?;
    let at = |d: NaiveDate| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default());
    Ok((at(first), at(next)))
}

fn line_to_order() -> RelationDef {
    order_line::Entity::belongs_to(order::Entity)
        .from(order_line::Column::OrderId)
        .to(order::Column::Id)
        .into()
}

pub async fn of<C: ConnectionTrait>(
    db: &C,
    provider_id: i32,
    reseller_id: i32,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> ApiResult<PartnershipMargin> {
    let col = |c: order_line::Column| Expr::col((order_line::Entity, c));
    let list: Expr = Func::coalesce([
        col(order_line::Column::ListUnitPriceMinor),
        col(order_line::Column::MonthlyUnitPriceMinor),
    ])
    .into();
    let reseller: Expr = Func::coalesce([
        col(order_line::Column::ResellerUnitPriceMinor),
        list.clone(),
    ])
    .into();
    let quantity = Expr::col((order_line::Entity, order_line::Column::QuantityChange));
    let row: Option<(Option<i64>, Option<i64>, Option<String>)> = order_line::Entity::find()
        .select_only()
        .expr(Func::cast_as(
            Func::sum(quantity.clone().mul(list)),
            sea_orm::sea_query::Alias::new("BIGINT"),
        ))
        .expr(Func::cast_as(
            Func::sum(quantity.mul(reseller)),
            sea_orm::sea_query::Alias::new("BIGINT"),
        ))
        .expr(Func::max(Expr::col((
            order_line::Entity,
            order_line::Column::Currency,
        ))))
        .join(JoinType::InnerJoin, line_to_order())
        .filter(order::Column::ProviderId.eq(provider_id))
        .filter(order::Column::OnBehalfOfResellerId.eq(reseller_id))
        .filter(order::Column::CreatedAt.gte(from))
        .filter(order::Column::CreatedAt.lt(to))
        .into_tuple()
        .one(db)
        .await?;
    let (list, reseller, currency) = row.unwrap_or((None, None, None));
    let currency = currency.unwrap_or_else(|| "USD".to_owned());
    let (list, reseller) = (list.unwrap_or(0), reseller.unwrap_or(0));
    Ok(PartnershipMargin {
        list_value: Money::new(list, &currency),
        reseller_value: Money::new(reseller, &currency),
        difference: Money::new(list - reseller, &currency),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn months_are_utc_calendar_months() {
        let (from, to) = super::month("2026-12").unwrap();
        assert_eq!(from.to_rfc3339(), "2026-12-01T00:00:00+00:00");
        assert_eq!(to.to_rfc3339(), "2027-01-01T00:00:00+00:00");
        for bad in ["2026-13", "2026-1", "26-01", "2026/01", ""] {
            assert!(super::month(bad).is_err(), "{bad}");
        }
    }
}
