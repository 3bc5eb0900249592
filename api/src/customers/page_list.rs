//! `Customer.subscriptions` (`[Subscription!]!`) answered from a page's prefetched rows
//! without the per-field machinery.
//!
//! async-graphql resolves every field of every object as its own boxed future, collected in
//! an ordered map: on the customer page that was about 2,000 futures and 600 maps for 150
//! subscriptions, the largest share of the API's CPU per request (see BENCHMARKS.md, round
//! 2). When a customer's subscriptions were prefetched (`page`) and the selection is a plain
//! list of the fields those rows hold, the answer is built directly from the rows: same
//! field names, aliases, order and values, as the profile-free path would give. Anything
//! else (fragments, directives, repeated response keys, any other field) goes through the
//! derived `Subscription` resolvers, so the schema and every answer stay as they were; the
//! end-to-end tests compare both paths.

use super::graphql::Subscription;
use super::page::{OFFER_FIELDS, PARTNER_FIELDS, PageSubscription, SUBSCRIPTION_FIELDS};
use crate::graphql::ids::{self, NodeType};
use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::resolver_utils::{enum_value, resolve_list};
use async_graphql::{
    ContextSelectionSet, Name, OutputType, Positioned, ScalarType, ServerResult, Value, registry,
};
use std::borrow::Cow;
use std::sync::Arc;

/// A customer's subscriptions: prefetched typed rows, or models loaded one customer at a
/// time (a single customer, a mutation's answer).
pub enum SubscriptionList {
    Prefetched(Arc<[PageSubscription]>),
    Loaded(Vec<Subscription>),
}

// The GraphQL type is exactly `[Subscription!]!`: the schema does not change.
impl OutputType for SubscriptionList {
    fn type_name() -> Cow<'static, str> {
        <Vec<Subscription> as OutputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <Vec<Subscription> as OutputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut registry::Registry) -> String {
        <Vec<Subscription> as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        match self {
            Self::Prefetched(rows) => {
                let plain = Plan::of(&ctx.item.node, On::Subscription)
                    .and_then(|plan| rows.iter().map(|row| plan.subscription(row)).collect());
                match plain {
                    Some(values) => Ok(Value::List(values)),
                    None => {
                        let models: Vec<Subscription> = rows
                            .iter()
                            .map(|row| Subscription(row.subscription.clone()))
                            .collect();
                        resolve_list(ctx, field, &models, Some(models.len())).await
                    }
                }
            }
            Self::Loaded(models) => resolve_list(ctx, field, models, Some(models.len())).await,
        }
    }
}

/// The object a selection set is on.
#[derive(Clone, Copy)]
enum On {
    Subscription,
    Offer,
    Partner,
}

impl On {
    /// The fields the prefetched rows answer on this type.
    fn fields(self) -> &'static [&'static str] {
        match self {
            Self::Subscription => SUBSCRIPTION_FIELDS,
            Self::Offer => OFFER_FIELDS,
            Self::Partner => PARTNER_FIELDS,
        }
    }
}

/// A selection set reduced to (response key, field name, sub-plan) in query order, when it
/// is plain: fields only (no fragments), no directives, no arguments, each response key
/// once, every name among the plain fields of the type it is `on`; on a subscription also its
/// offer and partners, with plain selections of their own.
struct Plan<'a>(Vec<(&'a Name, &'a str, Option<Plan<'a>>)>);

impl<'a> Plan<'a> {
    fn of(set: &'a SelectionSet, on: On) -> Option<Self> {
        let mut fields = Vec::with_capacity(set.items.len());
        for item in &set.items {
            let Selection::Field(field) = &item.node else {
                return None;
            };
            let field = &field.node;
            let name = field.name.node.as_str();
            let key = &field.response_key().node;
            if !field.directives.is_empty()
                || !field.arguments.is_empty()
                || fields.iter().any(|(k, _, _)| *k == key)
            {
                return None;
            }
            let sub = match (on, name) {
                (On::Subscription, "offer") => {
                    Some(Plan::of(&field.selection_set.node, On::Offer)?)
                }
                (On::Subscription, "partnerOfRecord" | "supportContact") => {
                    Some(Plan::of(&field.selection_set.node, On::Partner)?)
                }
                _ if on.fields().contains(&name) => None,
                _ => return None,
            };
            fields.push((key, name, sub));
        }
        Some(Self(fields))
    }

    /// One subscription's answer; `None` when a named row was missing.
    fn subscription(&self, row: &PageSubscription) -> Option<Value> {
        let s = &row.subscription;
        let mut object = IndexMap::with_capacity(self.0.len());
        for (key, name, sub) in &self.0 {
            let value = match (*name, sub) {
                ("__typename", _) => Value::String("Subscription".to_owned()),
                ("id", _) => Value::String(ids::encode(NodeType::Subscription, s.id).0),
                ("quantity", _) => Value::from(s.quantity),
                ("status", _) => enum_value(s.status),
                ("createdAt", _) => s.created_at.to_value(),
                ("updatedAt", _) => s.updated_at.to_value(),
                ("offer", Some(plan)) => plan.named(
                    "Offer",
                    NodeType::Offer,
                    s.offer_id,
                    row.offer_name.as_deref()?,
                ),
                ("supportContact", Some(plan)) => plan.named(
                    "Partner",
                    NodeType::Partner,
                    s.support_contact_partner_id,
                    row.support_contact_name.as_deref()?,
                ),
                ("partnerOfRecord", Some(plan)) => match s.partner_of_record_id {
                    None => Value::Null,
                    Some(id) => plan.named(
                        "Partner",
                        NodeType::Partner,
                        id,
                        row.partner_of_record_name.as_deref()?,
                    ),
                },
                _ => return None,
            };
            object.insert((*key).clone(), value);
        }
        Some(Value::Object(object))
    }

    /// An offer or partner answered from its id and display name (`name`/`companyName`).
    fn named(&self, type_name: &str, node: NodeType, id: i32, display: &str) -> Value {
        let mut object = IndexMap::with_capacity(self.0.len());
        for (key, name, _) in &self.0 {
            let value = match *name {
                "__typename" => Value::String(type_name.to_owned()),
                "id" => Value::String(ids::encode(node, id).0),
                _ => Value::String(display.to_owned()),
            };
            object.insert((*key).clone(), value);
        }
        Value::Object(object)
    }
}
