//! The pricing rule of `resolve` for many prices at once: a renewal batch prices up to a
//! thousand subscriptions, each at the moment its own term ends. One price at a time is up
//! to three statements each; a book reads the lists of every (provider, reseller) pair and
//! every version of their offers in three statements (one for a single pair: an order's
//! lines), then answers each price in memory by
//! the same rule (the assigned list, else the provider's first default list; the version
//! with the latest `effective_from` not after the moment, on a tie the later one).

use super::resolve::{list_of_pair, unit_price};
use crate::{offer, price_list, price_list_price, price_list_reseller};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

type DateTime = chrono::DateTime<chrono::Utc>;

/// The lists and versions that price a set of (provider, reseller) pairs and offers.
#[derive(Debug, Default)]
pub struct PriceBook {
    /// The list each pair buys at (none: list prices).
    lists: HashMap<(i32, i32), i32>,
    /// Every version of each (list, offer), any order.
    versions: HashMap<(i32, i32), Vec<price_list_price::Model>>,
}

impl PriceBook {
    /// Reads what prices `pairs` (provider, reseller) for `offer_ids`.
    pub async fn load<C: ConnectionTrait>(
        db: &C,
        pairs: &[(i32, i32)],
        offer_ids: &[i32],
    ) -> Result<Self, DbErr> {
        let mut book = Self::default();
        if pairs.is_empty() || offer_ids.is_empty() {
            return Ok(book);
        }
        if let [pair] = pairs {
            return Self::load_pair(db, *pair, offer_ids).await;
        }
        let mut providers: Vec<i32> = pairs.iter().map(|p| p.0).collect();
        providers.sort_unstable();
        providers.dedup();
        let mut resellers: Vec<i32> = pairs.iter().map(|p| p.1).collect();
        resellers.sort_unstable();
        resellers.dedup();
        let assigned: HashMap<(i32, i32), i32> = price_list_reseller::Entity::find()
            .filter(price_list_reseller::Column::ProviderId.is_in(providers.clone()))
            .filter(price_list_reseller::Column::ResellerId.is_in(resellers))
            .all(db)
            .await?
            .into_iter()
            .map(|a| ((a.provider_id, a.reseller_id), a.price_list_id))
            .collect();
        let mut defaults: HashMap<i32, i32> = HashMap::new();
        for list in price_list::Entity::find()
            .filter(price_list::Column::ProviderId.is_in(providers))
            .filter(price_list::Column::IsDefault.eq(true))
            .order_by_asc(price_list::Column::Id)
            .all(db)
            .await?
        {
            defaults.entry(list.provider_id).or_insert(list.id);
        }
        for pair in pairs {
            let list = assigned.get(pair).or_else(|| defaults.get(&pair.0));
            if let Some(list) = list {
                book.lists.insert(*pair, *list);
            }
        }
        let mut list_ids: Vec<i32> = book.lists.values().copied().collect();
        list_ids.sort_unstable();
        list_ids.dedup();
        if list_ids.is_empty() {
            return Ok(book);
        }
        for version in price_list_price::Entity::find()
            .filter(price_list_price::Column::PriceListId.is_in(list_ids))
            .filter(price_list_price::Column::OfferId.is_in(offer_ids.to_vec()))
            .all(db)
            .await?
        {
            book.versions
                .entry((version.price_list_id, version.offer_id))
                .or_default()
                .push(version);
        }
        Ok(book)
    }

    /// [`PriceBook::load`] for one pair (an order's lines: one reseller): one statement, the
    /// pair's list chosen inside it (`resolve::list_of_pair`) and every version of the
    /// offers on that list read. A pair whose list has none of them pays list prices,
    /// whether it has a list or not, so the list is known only from the versions.
    async fn load_pair<C: ConnectionTrait>(
        db: &C,
        pair: (i32, i32),
        offer_ids: &[i32],
    ) -> Result<Self, DbErr> {
        let mut book = Self::default();
        for version in price_list_price::Entity::find()
            .filter(
                Expr::col(price_list_price::Column::PriceListId).eq(list_of_pair(pair.0, pair.1)),
            )
            .filter(price_list_price::Column::OfferId.is_in(offer_ids.to_vec()))
            .all(db)
            .await?
        {
            book.lists.insert(pair, version.price_list_id);
            book.versions
                .entry((version.price_list_id, version.offer_id))
                .or_default()
                .push(version);
        }
        Ok(book)
    }

    /// What `reseller_id` pays `provider_id` for one license of `offer` at `at`
    /// (`resolve::reseller_unit_price`, from memory). A pair not loaded pays list price.
    pub fn reseller_unit_price(
        &self,
        provider_id: i32,
        reseller_id: i32,
        offer: &offer::Model,
        at: DateTime,
    ) -> i64 {
        let version = self
            .lists
            .get(&(provider_id, reseller_id))
            .and_then(|list| self.versions.get(&(*list, offer.id)))
            .and_then(|versions| in_force(versions, at));
        unit_price(offer, version)
    }
}

/// The version in force at `at`: the latest `effective_from` not after it, on a tie the
/// later version (the order of `resolve::reseller_unit_price`).
fn in_force(
    versions: &[price_list_price::Model],
    at: DateTime,
) -> Option<&price_list_price::Model> {
    versions
        .iter()
        .filter(|v| v.effective_from <= at)
        .max_by_key(|v| (v.effective_from, v.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn version(id: i32, day: u32, fixed: i64) -> price_list_price::Model {
        price_list_price::Model {
            id,
            price_list_id: 1,
            offer_id: 1,
            unit_price_minor: Some(fixed),
            markup_percent_e4: None,
            currency: "USD".into(),
            effective_from: chrono::Utc.with_ymd_and_hms(2026, 1, day, 0, 0, 0).unwrap(),
            created_at: chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        }
    }

    #[test]
    fn the_latest_started_version_and_on_a_tie_the_later_one() {
        let at = |day| chrono::Utc.with_ymd_and_hms(2026, 1, day, 0, 0, 0).unwrap();
        let versions = vec![version(3, 10, 300), version(1, 5, 100), version(2, 10, 200)];
        assert!(in_force(&versions, at(4)).is_none());
        assert_eq!(in_force(&versions, at(5)).map(|v| v.id), Some(1));
        assert_eq!(in_force(&versions, at(9)).map(|v| v.id), Some(1));
        // Both start on the 10th: the later version (id 3) wins, at its first instant.
        assert_eq!(in_force(&versions, at(10)).map(|v| v.id), Some(3));
        assert_eq!(in_force(&versions, at(20)).map(|v| v.id), Some(3));
    }
}
