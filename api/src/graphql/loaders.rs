//! Per-request batching: fields of list items (a customer's subscriptions, a subscription's
//! offer and partners) are loaded for the whole page in one statement per kind, not one per
//! row. A fresh `DataLoader` is made for every request, so nothing is cached across callers.
//!
//! Lists prefetch what their rows will ask for ([`prefetch_customers`]) and feed it to the
//! loader's cache: the statement count of a page is then fixed, whatever the timing of the
//! resolvers. Other paths (a single `node`) batch through the loader as usual. A customer
//! page whose subscriptions ask only for display fields skips the loader altogether: it
//! keeps one prefetched, typed row per subscription here (`Batches::keep_page_rows`).

use crate::customers::page::PageSubscription;
use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entity::{customer, offer, partner, subscription};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub struct PartnerKey(pub i32);
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub struct OfferKey(pub i32);
/// All subscriptions of one customer, oldest first.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub struct SubscriptionsOf(pub i32);

pub struct Batches {
    db: DatabaseConnection,
    /// Customer pages' subscriptions with their display fields, by customer id: prefetched
    /// by the list (`customers::page`), read by each customer's `subscriptions`.
    page_rows: Mutex<HashMap<i32, Arc<[PageSubscription]>>>,
}

impl Batches {
    /// The database the loads read (for loaders kept by their domain, e.g.
    /// `price_lists::loader`).
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Keeps a page's prefetched subscriptions for its customers' `subscriptions` fields.
    pub fn keep_page_rows(&self, rows: HashMap<i32, Arc<[PageSubscription]>>) {
        self.page_rows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .extend(rows);
    }

    /// The prefetched subscriptions of customer `id`, when a page prefetched them.
    pub fn page_rows_of(&self, id: i32) -> Option<Arc<[PageSubscription]>> {
        self.page_rows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&id)
            .cloned()
    }
}

pub type Loaders = DataLoader<Batches, HashMapCache>;

/// A loader for one request.
pub fn for_request(db: DatabaseConnection) -> Arc<Loaders> {
    Arc::new(
        DataLoader::with_cache(
            Batches {
                db,
                page_rows: Mutex::default(),
            },
            tokio::spawn,
            HashMapCache::default(),
        )
        .max_batch_size(10_000),
    )
}

/// Loads, in three statements, everything the rows of a customer page resolve: their
/// subscriptions, those subscriptions' offers, and every partner named by either.
pub async fn prefetch_customers(loaders: &Loaders, customers: &[&customer::Model]) -> Result<()> {
    let batches = loaders.loader();
    let keys: Vec<SubscriptionsOf> = customers.iter().map(|c| SubscriptionsOf(c.id)).collect();
    let subscriptions = batches.load(&keys).await?;
    let all_subs = subscriptions.values().flatten();
    let mut offer_keys: Vec<OfferKey> = all_subs.clone().map(|s| OfferKey(s.offer_id)).collect();
    offer_keys.sort_by_key(|k| k.0);
    offer_keys.dedup();
    let mut partner_keys: Vec<PartnerKey> = customers
        .iter()
        .flat_map(|c| {
            std::iter::once(c.provider_id)
                .chain(c.reseller_id)
                .chain(c.azure_tenant_owner_id)
        })
        .chain(all_subs.flat_map(|s| {
            std::iter::once(s.support_contact_partner_id).chain(s.partner_of_record_id)
        }))
        .map(PartnerKey)
        .collect();
    partner_keys.sort_by_key(|k| k.0);
    partner_keys.dedup();
    let offers = batches.load(&offer_keys).await?;
    let partners = batches.load(&partner_keys).await?;
    loaders.feed_many(subscriptions).await;
    loaders.feed_many(offers).await;
    loaders.feed_many(partners).await;
    Ok(())
}

pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Arc<Loaders>>()
}

type Result<T> = std::result::Result<T, Arc<DbErr>>;

impl Loader<PartnerKey> for Batches {
    type Value = partner::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[PartnerKey]) -> Result<HashMap<PartnerKey, partner::Model>> {
        let rows = partner::Entity::find()
            .filter(partner::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|p| (PartnerKey(p.id), p)).collect())
    }
}

impl Loader<OfferKey> for Batches {
    type Value = offer::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[OfferKey]) -> Result<HashMap<OfferKey, offer::Model>> {
        let rows = offer::Entity::find()
            .filter(offer::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|o| (OfferKey(o.id), o)).collect())
    }
}

impl Loader<SubscriptionsOf> for Batches {
    type Value = Vec<subscription::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[SubscriptionsOf],
    ) -> Result<HashMap<SubscriptionsOf, Vec<subscription::Model>>> {
        let rows = subscription::Entity::find()
            .filter(subscription::Column::CustomerId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(subscription::Column::Id)
            .all(&self.db)
            .await?;
        let mut grouped: HashMap<SubscriptionsOf, Vec<subscription::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            grouped
                .entry(SubscriptionsOf(row.customer_id))
                .or_default()
                .push(row);
        }
        Ok(grouped)
    }
}

/// A loader failure as the API's internal error (logged, masked).
pub fn failed(err: Arc<DbErr>) -> crate::error::ApiError {
    crate::error::ApiError::Internal(anyhow::anyhow!("batched load: {err}"))
}
