//! Reseller prices through the request's DataLoader (`graphql::loaders`). A customers page
//! that asks each subscription's offer for `resellerPriceFor` used to cost four statements
//! per offer (the partnership, the assigned list, the default list, the version); through
//! the loader the whole page costs four: the ACTIVE partnerships among the pairs asked,
//! the offers, and the lists and versions of a `PriceBook`, priced in memory by the same
//! rule (`entity::pricing`).

use crate::graphql::loaders::Batches;
use async_graphql::dataloader::Loader;
use chrono::Utc;
use entity::enums::PartnershipStatus;
use entity::pricing::book::PriceBook;
use entity::{offer, partnership};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// What `reseller` pays `provider` for one license of `offer` now. Absent from the answer
/// when the two are not ACTIVE partners (the field is then null).
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub struct ResellerPriceKey {
    pub provider: i32,
    pub reseller: i32,
    pub offer: i32,
}

impl Loader<ResellerPriceKey> for Batches {
    type Value = i64;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[ResellerPriceKey],
    ) -> Result<HashMap<ResellerPriceKey, i64>, Arc<DbErr>> {
        let db = self.db();
        let dedup = |mut v: Vec<i32>| {
            v.sort_unstable();
            v.dedup();
            v
        };
        let providers = dedup(keys.iter().map(|k| k.provider).collect());
        let resellers = dedup(keys.iter().map(|k| k.reseller).collect());
        let offer_ids = dedup(keys.iter().map(|k| k.offer).collect());
        let asked: HashSet<(i32, i32)> = keys.iter().map(|k| (k.provider, k.reseller)).collect();
        let active: Vec<(i32, i32)> = partnership::Entity::find()
            .filter(partnership::Column::ProviderId.is_in(providers))
            .filter(partnership::Column::ResellerId.is_in(resellers))
            .filter(partnership::Column::Status.eq(PartnershipStatus::Active))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.provider_id, p.reseller_id))
            .filter(|pair| asked.contains(pair))
            .collect();
        if active.is_empty() {
            return Ok(HashMap::new());
        }
        let offers: HashMap<i32, offer::Model> = offer::Entity::find()
            .filter(offer::Column::Id.is_in(offer_ids.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        let book = PriceBook::load(db, &active, &offer_ids).await?;
        let active: HashSet<(i32, i32)> = active.into_iter().collect();
        let now = Utc::now();
        Ok(keys
            .iter()
            .filter(|k| active.contains(&(k.provider, k.reseller)))
            .filter_map(|k| {
                let offer = offers.get(&k.offer)?;
                Some((
                    *k,
                    book.reseller_unit_price(k.provider, k.reseller, offer, now),
                ))
            })
            .collect())
    }
}
