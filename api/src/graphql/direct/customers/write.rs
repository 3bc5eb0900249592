//! The customers page written: a customer's fields, its subscriptions and their names.

use super::read::{Row, SubRow};
use super::{Col, Field, Named, Sub};
use crate::graphql::direct::Fallback;
use crate::graphql::direct::json::{Key, Out, object};
use crate::graphql::ids::{self, NodeType};
use async_graphql::ScalarType;

pub(super) fn customer(out: &mut Out, fields: &[(Key, Field)], row: &Row) -> Result<(), Fallback> {
    object(out, fields, |out, f| {
        match f {
            Field::Typename(name) => out.string(name),
            Field::Id => out.string(&ids::encode(NodeType::Customer, row.id).0),
            Field::Text(col) if col.nullable() => out.opt_string(row.text(*col)),
            Field::Text(col) => out.string(row.text(*col).ok_or(Fallback("column"))?),
            Field::CreatedAt => out.value(&row.created_at.ok_or(Fallback("column"))?.to_value()),
            Field::AdminUserName => {
                let domain = row.text(Col::Domain).ok_or(Fallback("column"))?;
                out.string(&format!("admin@{domain}"))
            }
            Field::Object(fields) => customer(out, fields, row)?,
            Field::Subscriptions(fields) => {
                out.byte(b'[');
                let mut first = true;
                for sub in &row.subscriptions {
                    out.comma(&mut first);
                    subscription(out, fields, sub)?;
                }
                out.byte(b']');
            }
        }
        Ok(())
    })
}

fn subscription(out: &mut Out, fields: &[(Key, Sub)], s: &SubRow) -> Result<(), Fallback> {
    object(out, fields, |out, f| {
        match f {
            Sub::Typename => out.string("Subscription"),
            Sub::Id => out.string(&ids::encode(NodeType::Subscription, s.id).0),
            Sub::Quantity => out.int(s.quantity.into()),
            Sub::Status => out.value(&async_graphql::resolver_utils::enum_value(s.status)),
            Sub::CreatedAt => out.value(&s.created_at.to_value()),
            Sub::UpdatedAt => out.value(&s.updated_at.to_value()),
            Sub::Offer(fields) => named(
                out,
                fields,
                ("Offer", NodeType::Offer, s.offer_id),
                s.offer_name.as_deref(),
            )?,
            Sub::SupportContact(fields) => named(
                out,
                fields,
                ("Partner", NodeType::Partner, s.support_contact_id),
                s.support_contact_name.as_deref(),
            )?,
            Sub::PartnerOfRecord(fields) => match s.partner_of_record_id {
                None => out.raw("null"),
                Some(id) => named(
                    out,
                    fields,
                    ("Partner", NodeType::Partner, id),
                    s.partner_of_record_name.as_deref(),
                )?,
            },
        }
        Ok(())
    })
}

/// An offer or partner from its id and display name; a missing row (no name) is left to
/// the general path.
fn named(
    out: &mut Out,
    fields: &[(Key, Named)],
    (type_name, node, id): (&str, NodeType, i32),
    display: Option<&str>,
) -> Result<(), Fallback> {
    let display = display.ok_or(Fallback("missing row"))?;
    object(out, fields, |out, f| {
        match f {
            Named::Typename => out.string(type_name),
            Named::Id => out.string(&ids::encode(node, id).0),
            Named::Name => out.string(display),
        }
        Ok(())
    })
}
