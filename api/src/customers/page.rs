//! A customer page's subscriptions from one prefetched, typed structure.
//!
//! The list the partner center shows most (`customers(first: 50)` with each customer's
//! subscriptions, their offer, partner of record and support contact) used to resolve about
//! 2,000 fields, each subscription's three related objects through their own DataLoader
//! lookups. When a page asks for no more than the display fields of those objects (ids and
//! names), one statement instead loads every subscription of the page joined with its
//! offer's name and its two partners' names ([`prefetch`]), and each customer's
//! `subscriptions` is answered from those plain values (`page_list`). A page asking for
//! more (a price, a partner's country) keeps the loader path, with everything prefetched
//! up front as before ([`Prefetch::for_page`] decides).

use crate::graphql::loaders::{Loaders, failed, prefetch_customers};
use async_graphql::SelectionField;
use entity::{customer, offer, partner, subscription};
use sea_orm::sea_query::{Alias, Expr, JoinType};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QueryResult, QuerySelect, RelationTrait,
};
use std::collections::HashMap;
use std::sync::Arc;

/// One subscription of a page with the display fields of what it names.
#[derive(Debug, Clone)]
pub struct PageSubscription {
    pub subscription: subscription::Model,
    /// `None` only if the offer row is missing (the normal resolvers then answer).
    pub offer_name: Option<String>,
    pub support_contact_name: Option<String>,
    pub partner_of_record_name: Option<String>,
}

/// The subscription columns [`prefetch`] selects, in this order, before the three names.
/// Rows are decoded by position: looking each column up by name cost about a third of the
/// decoding (the page decodes some 150 rows of 13 columns; BENCHMARKS.md, round 2).
const COLUMNS: [subscription::Column; 16] = [
    subscription::Column::Id,
    subscription::Column::CustomerId,
    subscription::Column::OfferId,
    subscription::Column::Quantity,
    subscription::Column::Status,
    subscription::Column::PartnerOfRecordId,
    subscription::Column::SupportContactPartnerId,
    subscription::Column::UpgradedFromId,
    subscription::Column::CreatedAt,
    subscription::Column::UpdatedAt,
    subscription::Column::Term,
    subscription::Column::TermStartedAt,
    subscription::Column::TermEndsAt,
    subscription::Column::AutoRenew,
    subscription::Column::TermNumber,
    subscription::Column::TermRemindedDays,
];

impl FromQueryResult for PageSubscription {
    fn from_query_result(row: &QueryResult, _pre: &str) -> Result<Self, DbErr> {
        let names = COLUMNS.len();
        Ok(Self {
            subscription: subscription::Model {
                id: row.try_get_by_index(0)?,
                customer_id: row.try_get_by_index(1)?,
                offer_id: row.try_get_by_index(2)?,
                quantity: row.try_get_by_index(3)?,
                status: row.try_get_by_index(4)?,
                partner_of_record_id: row.try_get_by_index(5)?,
                support_contact_partner_id: row.try_get_by_index(6)?,
                upgraded_from_id: row.try_get_by_index(7)?,
                created_at: row.try_get_by_index(8)?,
                updated_at: row.try_get_by_index(9)?,
                term: row.try_get_by_index(10)?,
                term_started_at: row.try_get_by_index(11)?,
                term_ends_at: row.try_get_by_index(12)?,
                auto_renew: row.try_get_by_index(13)?,
                term_number: row.try_get_by_index(14)?,
                term_reminded_days: row.try_get_by_index(15)?,
            },
            offer_name: row.try_get_by_index(names)?,
            support_contact_name: row.try_get_by_index(names + 1)?,
            partner_of_record_name: row.try_get_by_index(names + 2)?,
        })
    }
}

const OFFER_NAME: &str = "offer_name";
const SUPPORT_CONTACT_NAME: &str = "support_contact_name";
const PARTNER_OF_RECORD_NAME: &str = "partner_of_record_name";

/// The fields of `Subscription`, `Offer` and `Partner` the prefetched rows answer.
pub const SUBSCRIPTION_FIELDS: &[&str] = &[
    "__typename",
    "id",
    "quantity",
    "status",
    "createdAt",
    "updatedAt",
];
pub const OFFER_FIELDS: &[&str] = &["__typename", "id", "name"];
pub const PARTNER_FIELDS: &[&str] = &["__typename", "id", "companyName"];

/// One statement: the subscriptions of `customer_ids`, oldest first, each with its offer's
/// name and the company names of its support contact and partner of record; grouped by
/// customer (a customer without subscriptions gets an empty list).
pub async fn prefetch(
    db: &DatabaseConnection,
    customer_ids: &[i32],
) -> Result<HashMap<i32, Arc<[PageSubscription]>>, DbErr> {
    let (offers, support, credited) = (Alias::new("o"), Alias::new("sc"), Alias::new("por"));
    let partner_on = |column: subscription::Column| {
        subscription::Entity::belongs_to(partner::Entity)
            .from(column)
            .to(partner::Column::Id)
            .into()
    };
    let rows = subscription::Entity::find()
        .select_only()
        .columns(COLUMNS)
        .filter(subscription::Column::CustomerId.is_in(customer_ids.iter().copied()))
        .join_as(
            JoinType::LeftJoin,
            subscription::Relation::Offer.def(),
            offers.clone(),
        )
        .join_as(
            JoinType::LeftJoin,
            partner_on(subscription::Column::SupportContactPartnerId),
            support.clone(),
        )
        .join_as(
            JoinType::LeftJoin,
            partner_on(subscription::Column::PartnerOfRecordId),
            credited.clone(),
        )
        .expr_as(Expr::col((offers, offer::Column::Name)), OFFER_NAME)
        .expr_as(
            Expr::col((support, partner::Column::CompanyName)),
            SUPPORT_CONTACT_NAME,
        )
        .expr_as(
            Expr::col((credited, partner::Column::CompanyName)),
            PARTNER_OF_RECORD_NAME,
        )
        .order_by_asc(subscription::Column::Id)
        .into_model::<PageSubscription>()
        .all(db)
        .await?;
    let mut grouped: HashMap<i32, Vec<PageSubscription>> =
        customer_ids.iter().map(|id| (*id, Vec::new())).collect();
    for row in rows {
        grouped
            .entry(row.subscription.customer_id)
            .or_default()
            .push(row);
    }
    Ok(grouped
        .into_iter()
        .map(|(id, rows)| (id, rows.into()))
        .collect())
}

/// What a customer page loads up front for its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefetch {
    /// The page does not ask for subscriptions.
    Nothing,
    /// Only their display fields: the typed rows of [`prefetch`].
    Rows,
    /// More than that: the loader's full prefetch (subscriptions, offers, partners).
    Full,
}

impl Prefetch {
    /// Judged from the page's selection (the `customers` field, fragments included).
    pub fn for_page(page_field: SelectionField<'_>) -> Self {
        let mut asked = false;
        for field in page_field.selection_set() {
            let nodes: Vec<SelectionField<'_>> = match field.name() {
                "edges" => field
                    .selection_set()
                    .filter(|n| n.name() == "node")
                    .collect(),
                "nodes" => vec![field],
                _ => continue,
            };
            for node in nodes {
                for subscriptions in node.selection_set() {
                    if subscriptions.name() != "subscriptions" {
                        continue;
                    }
                    asked = true;
                    if !display_only(subscriptions) {
                        return Self::Full;
                    }
                }
            }
        }
        if asked { Self::Rows } else { Self::Nothing }
    }

    /// Loads it, for the page's `customers`.
    pub async fn load(
        self,
        db: &DatabaseConnection,
        loaders: &Loaders,
        customers: &[&customer::Model],
    ) -> crate::error::ApiResult<()> {
        match self {
            Self::Nothing => {}
            Self::Rows => {
                let ids: Vec<i32> = customers.iter().map(|c| c.id).collect();
                loaders.loader().keep_page_rows(prefetch(db, &ids).await?);
            }
            Self::Full => prefetch_customers(loaders, customers)
                .await
                .map_err(failed)?,
        }
        Ok(())
    }
}

/// True when a `subscriptions` selection asks only for fields the prefetched rows hold.
fn display_only(subscriptions: SelectionField<'_>) -> bool {
    subscriptions.selection_set().all(|f| {
        let allowed = match f.name() {
            "offer" => OFFER_FIELDS,
            "partnerOfRecord" | "supportContact" => PARTNER_FIELDS,
            name => return SUBSCRIPTION_FIELDS.contains(&name),
        };
        f.selection_set().all(|leaf| allowed.contains(&leaf.name()))
    })
}
