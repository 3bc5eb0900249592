//! `customers` (the read page) as a prepared plan: the connection, its page info and
//! cursors, the customers' own fields and their subscriptions with the display fields of
//! their offer, partner of record and support contact (what `customers::page` prefetches).
//!
//! One statement answers the page: the page's customers (the keyset query of
//! `graphql::connection`, index-only subquery and all), left-joined with their
//! subscriptions and the three names, with `totalCount` as a scalar subquery when it is
//! selected. The general path sends three (page, subscriptions, count). Rows are read by
//! position, only the columns the selection needs (`read`), and written (`write`).

mod read;
mod write;

use super::connection::{self, ConnectionPlan};
use super::json::{Key, Out};
use super::select::{Doc, Sel};
use super::{Fallback, Request};
use crate::graphql::connection::Key as SortKey;
use entity::customer;

#[derive(Debug)]
pub struct CustomersPlan {
    connection: ConnectionPlan<Vec<(Key, Field)>>,
    /// Customer columns read, in statement order (the id first).
    columns: Vec<Col>,
    subscriptions: bool,
}

/// What the selection reads, gathered while it is recognized.
struct Reads {
    columns: Vec<Col>,
    subscriptions: bool,
}

/// A field of `Customer` (and of its address and billing contact).
#[derive(Debug)]
enum Field {
    Typename(&'static str),
    Id,
    Text(Col),
    CreatedAt,
    AdminUserName,
    Object(Vec<(Key, Field)>),
    Subscriptions(Vec<(Key, Sub)>),
}

#[derive(Debug)]
enum Sub {
    Typename,
    Id,
    Quantity,
    Status,
    CreatedAt,
    UpdatedAt,
    Offer(Vec<(Key, Named)>),
    PartnerOfRecord(Vec<(Key, Named)>),
    SupportContact(Vec<(Key, Named)>),
}

#[derive(Debug)]
enum Named {
    Typename,
    Id,
    Name,
}

/// The customer columns a selection can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Id,
    CompanyName,
    Domain,
    Country,
    Language,
    Line1,
    Line2,
    City,
    PostalCode,
    BillingName,
    BillingEmail,
    BillingPhone,
    CreatedAt,
}

impl Col {
    fn column(self) -> customer::Column {
        use customer::Column as C;
        match self {
            Col::Id => C::Id,
            Col::CompanyName => C::CompanyName,
            Col::Domain => C::Domain,
            Col::Country => C::Country,
            Col::Language => C::Language,
            Col::Line1 => C::AddressLine1,
            Col::Line2 => C::AddressLine2,
            Col::City => C::City,
            Col::PostalCode => C::PostalCode,
            Col::BillingName => C::BillingContactName,
            Col::BillingEmail => C::BillingContactEmail,
            Col::BillingPhone => C::BillingContactPhone,
            Col::CreatedAt => C::CreatedAt,
        }
    }

    fn nullable(self) -> bool {
        matches!(self, Col::Line2 | Col::BillingPhone)
    }
}

const ORDER: [SortKey<customer::Column>; 1] = [SortKey::Desc(customer::Column::Id)];

/// Recognizes `customers(first/last/after/before)` with a selection the plan can answer.
pub fn recognize<'a>(doc: &Doc<'a>, sel: &Sel<'a>) -> Option<CustomersPlan> {
    let mut reads = Reads {
        columns: vec![Col::Id],
        subscriptions: false,
    };
    let connection =
        connection::recognize(doc, sel, ("CustomerConnection", "CustomerEdge"), |s| {
            customer_fields(doc, s, &mut reads)
        })?;
    Some(CustomersPlan {
        connection,
        columns: reads.columns,
        subscriptions: reads.subscriptions,
    })
}

fn customer_fields<'a>(
    doc: &Doc<'a>,
    sel: &Sel<'a>,
    plan: &mut Reads,
) -> Option<Vec<(Key, Field)>> {
    let mut members = Vec::new();
    for f in doc.fields(&sel.object()?, "Customer")? {
        let mut text = |col: Col| {
            if !plan.columns.contains(&col) {
                plan.columns.push(col);
            }
            Field::Text(col)
        };
        let field = match f.name {
            _ if !f.arguments_among(&[]) => return None,
            "__typename" if f.leaf() => Field::Typename("Customer"),
            "id" if f.leaf() => Field::Id,
            "companyName" if f.leaf() => text(Col::CompanyName),
            "domain" if f.leaf() => text(Col::Domain),
            "country" if f.leaf() => text(Col::Country),
            "language" if f.leaf() => text(Col::Language),
            "adminUserName" if f.leaf() => {
                text(Col::Domain);
                Field::AdminUserName
            }
            "createdAt" if f.leaf() => {
                text(Col::CreatedAt);
                Field::CreatedAt
            }
            "address" => {
                let mut inner = Vec::new();
                for a in doc.fields(&f.object()?, "Address")? {
                    let col = match a.name {
                        _ if !a.leaf() => return None,
                        "__typename" => {
                            inner.push((a.json_key(), Field::Typename("Address")));
                            continue;
                        }
                        "line1" => Col::Line1,
                        "line2" => Col::Line2,
                        "city" => Col::City,
                        "postalCode" => Col::PostalCode,
                        "country" => Col::Country,
                        _ => return None,
                    };
                    inner.push((a.json_key(), text(col)));
                }
                Field::Object(inner)
            }
            "billingContact" => {
                let mut inner = Vec::new();
                for b in doc.fields(&f.object()?, "BillingContact")? {
                    let col = match b.name {
                        _ if !b.leaf() => return None,
                        "__typename" => {
                            inner.push((b.json_key(), Field::Typename("BillingContact")));
                            continue;
                        }
                        "name" => Col::BillingName,
                        "email" => Col::BillingEmail,
                        "phone" => Col::BillingPhone,
                        _ => return None,
                    };
                    inner.push((b.json_key(), text(col)));
                }
                Field::Object(inner)
            }
            "subscriptions" => {
                plan.subscriptions = true;
                Field::Subscriptions(subscription_fields(doc, &f)?)
            }
            _ => return None,
        };
        members.push((f.json_key(), field));
    }
    Some(members)
}

fn subscription_fields<'a>(doc: &Doc<'a>, sel: &Sel<'a>) -> Option<Vec<(Key, Sub)>> {
    let named = |f: &Sel<'a>, on: &str, display: &str| -> Option<Vec<(Key, Named)>> {
        let mut members = Vec::new();
        for n in doc.fields(&f.object()?, on)? {
            if !n.leaf() {
                return None;
            }
            let field = match n.name {
                "__typename" => Named::Typename,
                "id" => Named::Id,
                name if name == display => Named::Name,
                _ => return None,
            };
            members.push((n.json_key(), field));
        }
        Some(members)
    };
    let mut members = Vec::new();
    for f in doc.fields(&sel.object()?, "Subscription")? {
        let field = match f.name {
            _ if !f.arguments_among(&[]) => return None,
            "__typename" if f.leaf() => Sub::Typename,
            "id" if f.leaf() => Sub::Id,
            "quantity" if f.leaf() => Sub::Quantity,
            "status" if f.leaf() => Sub::Status,
            "createdAt" if f.leaf() => Sub::CreatedAt,
            "updatedAt" if f.leaf() => Sub::UpdatedAt,
            "offer" => Sub::Offer(named(&f, "Offer", "name")?),
            "partnerOfRecord" => Sub::PartnerOfRecord(named(&f, "Partner", "companyName")?),
            "supportContact" => Sub::SupportContact(named(&f, "Partner", "companyName")?),
            _ => return None,
        };
        members.push((f.json_key(), field));
    }
    Some(members)
}

impl CustomersPlan {
    /// Runs the plan and writes the connection's JSON.
    pub async fn write(
        &self,
        out: &mut Out,
        variables: &async_graphql::Variables,
        request: &Request<'_>,
    ) -> Result<(), Fallback> {
        let page = self.read(variables, request).await?;
        self.connection.write(out, &page, |out, fields, row| {
            write::customer(out, fields, row)
        })
    }
}
