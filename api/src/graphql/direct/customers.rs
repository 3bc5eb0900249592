//! `customers` (the read page) as a prepared plan: the connection, its page info and
//! cursors, the customers' own fields and their subscriptions with the display fields of
//! their offer, partner of record and support contact (what `customers::page` prefetches).
//!
//! One statement answers the page: the page's customers (the keyset query of
//! `graphql::connection`, index-only subquery and all), left-joined with their
//! subscriptions and the three names, with `totalCount` as a scalar subquery when it is
//! selected. The general path sends three (page, subscriptions, count). Rows are read by
//! position, only the columns the selection needs.

use super::json::{Key, Out, object};
use super::select::{Arg, Doc, Scalar, Sel, resolve};
use super::{Fallback, Request};
use crate::customers::access;
use crate::graphql::connection::{self, Key as SortKey, PageArgs, Planned};
use crate::graphql::ids::{self, NodeType};
use async_graphql::ScalarType;
use chrono::{DateTime, Utc};
use entity::enums::SubscriptionStatus;
use entity::{customer, offer, partner, subscription};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, QueryResult, QuerySelect, QueryTrait};

#[derive(Debug)]
pub struct CustomersPlan {
    first: Arg,
    last: Arg,
    after: Arg,
    before: Arg,
    members: Vec<(Key, Conn)>,
    /// Customer columns read, in statement order (the id first).
    columns: Vec<Col>,
    count: bool,
    subscriptions: bool,
}

#[derive(Debug)]
enum Conn {
    Typename,
    TotalCount,
    PageInfo(Vec<(Key, PageInfo)>),
    Edges(Vec<(Key, Edge)>),
    Nodes(Vec<(Key, Field)>),
}

#[derive(Debug)]
enum PageInfo {
    Typename,
    HasPreviousPage,
    HasNextPage,
    StartCursor,
    EndCursor,
}

#[derive(Debug)]
enum Edge {
    Typename,
    Cursor,
    Node(Vec<(Key, Field)>),
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
    if !sel.arguments_among(&["first", "last", "after", "before"]) {
        return None;
    }
    let mut plan = CustomersPlan {
        first: doc.arg(sel, "first", Scalar::Int)?,
        last: doc.arg(sel, "last", Scalar::Int)?,
        after: doc.arg(sel, "after", Scalar::String)?,
        before: doc.arg(sel, "before", Scalar::String)?,
        members: Vec::new(),
        columns: vec![Col::Id],
        count: false,
        subscriptions: false,
    };
    for f in doc.fields(&sel.object()?, "CustomerConnection")? {
        let member = match f.name {
            "__typename" if f.leaf() => Conn::Typename,
            "totalCount" if f.leaf() => {
                plan.count = true;
                Conn::TotalCount
            }
            "pageInfo" if f.arguments_among(&[]) => {
                let mut members = Vec::new();
                for p in doc.fields(&f.object()?, "PageInfo")? {
                    if !p.leaf() {
                        return None;
                    }
                    members.push((
                        p.json_key(),
                        match p.name {
                            "__typename" => PageInfo::Typename,
                            "hasPreviousPage" => PageInfo::HasPreviousPage,
                            "hasNextPage" => PageInfo::HasNextPage,
                            "startCursor" => PageInfo::StartCursor,
                            "endCursor" => PageInfo::EndCursor,
                            _ => return None,
                        },
                    ));
                }
                Conn::PageInfo(members)
            }
            "edges" if f.arguments_among(&[]) => {
                let mut members = Vec::new();
                for e in doc.fields(&f.object()?, "CustomerEdge")? {
                    let edge = match e.name {
                        "__typename" if e.leaf() => Edge::Typename,
                        "cursor" if e.leaf() => Edge::Cursor,
                        "node" if e.arguments_among(&[]) => {
                            Edge::Node(customer_fields(doc, &e, &mut plan)?)
                        }
                        _ => return None,
                    };
                    members.push((e.json_key(), edge));
                }
                Conn::Edges(members)
            }
            "nodes" if f.arguments_among(&[]) => Conn::Nodes(customer_fields(doc, &f, &mut plan)?),
            _ => return None,
        };
        plan.members.push((f.json_key(), member));
    }
    Some(plan)
}

fn customer_fields<'a>(
    doc: &Doc<'a>,
    sel: &Sel<'a>,
    plan: &mut CustomersPlan,
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

/// One customer of the page, with the columns read.
#[derive(Default)]
struct Row {
    id: i32,
    text: [Option<String>; 12],
    created_at: Option<DateTime<Utc>>,
    subscriptions: Vec<SubRow>,
}

impl Row {
    fn text(&self, col: Col) -> Option<&str> {
        self.text[col as usize - 1].as_deref()
    }
}

struct SubRow {
    id: i32,
    offer_id: i32,
    quantity: i32,
    status: SubscriptionStatus,
    partner_of_record_id: Option<i32>,
    support_contact_id: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    offer_name: Option<String>,
    support_contact_name: Option<String>,
    partner_of_record_name: Option<String>,
}

/// The page, read.
struct Page {
    rows: Vec<Row>,
    cursors: Vec<String>,
    has_previous: bool,
    has_next: bool,
    total: Option<i64>,
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
        object(out, &self.members, |out, member| match member {
            Conn::Typename => {
                out.string("CustomerConnection");
                Ok(())
            }
            Conn::TotalCount => {
                out.int(page.total.ok_or(Fallback("count"))?);
                Ok(())
            }
            Conn::PageInfo(fields) => object(out, fields, |out, f| {
                match f {
                    PageInfo::Typename => out.string("PageInfo"),
                    PageInfo::HasPreviousPage => out.bool(page.has_previous),
                    PageInfo::HasNextPage => out.bool(page.has_next),
                    PageInfo::StartCursor => {
                        out.opt_string(page.cursors.first().map(String::as_str))
                    }
                    PageInfo::EndCursor => out.opt_string(page.cursors.last().map(String::as_str)),
                }
                Ok(())
            }),
            Conn::Edges(fields) => {
                out.byte(b'[');
                let mut first = true;
                for (row, cursor) in page.rows.iter().zip(&page.cursors) {
                    out.comma(&mut first);
                    object(out, fields, |out, f| match f {
                        Edge::Typename => {
                            out.string("CustomerEdge");
                            Ok(())
                        }
                        Edge::Cursor => {
                            out.string(cursor);
                            Ok(())
                        }
                        Edge::Node(fields) => customer(out, fields, row),
                    })?;
                }
                out.byte(b']');
                Ok(())
            }
            Conn::Nodes(fields) => {
                out.byte(b'[');
                let mut first = true;
                for row in &page.rows {
                    out.comma(&mut first);
                    customer(out, fields, row)?;
                }
                out.byte(b']');
                Ok(())
            }
        })
    }

    async fn read(
        &self,
        variables: &async_graphql::Variables,
        request: &Request<'_>,
    ) -> Result<Page, Fallback> {
        let actor = request.actor.ok_or(Fallback("signed out"))?;
        // What `auth::actor` refuses (a temporary password still in place) the general
        // path answers with its error.
        let actor = crate::auth::usable(actor).map_err(|_| Fallback("password change"))?;
        let int = |arg: &Arg| -> Result<Option<i32>, Fallback> {
            match resolve(arg, variables, Scalar::Int).map_err(|()| Fallback("variable"))? {
                Some(v) => Ok(v.as_i64_checked()),
                None => Ok(None),
            }
        };
        let string = |arg: &Arg| -> Result<Option<String>, Fallback> {
            match resolve(arg, variables, Scalar::String).map_err(|()| Fallback("variable"))? {
                Some(async_graphql::Value::String(s)) => Ok(Some(s)),
                _ => Ok(None),
            }
        };
        let args = PageArgs::new(
            string(&self.after)?,
            string(&self.before)?,
            int(&self.first)?,
            int(&self.last)?,
        )
        .map_err(|_| Fallback("page arguments"))?;
        let select = access::visible_customers(actor).map_err(|_| Fallback("not visible"))?;
        let planned = Planned::new(select, &ORDER, args, true).map_err(|_| Fallback("cursor"))?;
        let statement = self.statement(&planned);
        let db = request.db;
        let results = db
            .query_all(&statement)
            .await
            .map_err(|_| Fallback("database"))?;
        let (mut rows, mut total) = self.decode(&results).map_err(|_| Fallback("decoding"))?;
        if self.count && total.is_none() {
            // An empty page has no row to carry the count.
            let row = db
                .query_one(&planned.count)
                .await
                .map_err(|_| Fallback("database"))?;
            total = Some(match row {
                Some(row) => row
                    .try_get::<i64>("", "num_items")
                    .map_err(|_| Fallback("count"))?,
                None => 0,
            });
        }
        let (has_previous, has_next) = planned
            .settle(db, &mut rows, |r| vec![sea_orm::Value::Int(Some(r.id))])
            .await
            .map_err(|_| Fallback("database"))?;
        let tag = connection::cursor_tag::<customer::Entity>(&ORDER);
        let cursors = rows
            .iter()
            .map(|r| connection::encode_cursor(&tag, &[sea_orm::Value::Int(Some(r.id))]))
            .collect::<Result<_, _>>()
            .map_err(|_| Fallback("cursor"))?;
        Ok(Page {
            rows,
            cursors,
            has_previous,
            has_next,
            total,
        })
    }

    /// The page's statement: its customers (`planned.rows`, the keyset query) with only
    /// the columns selected, then the count, then each subscription with its names.
    fn statement(&self, planned: &Planned<customer::Entity>) -> SelectStatement {
        let (c, s, o, sc, por) = (
            Alias::new("c"),
            Alias::new("s"),
            Alias::new("o"),
            Alias::new("sc"),
            Alias::new("por"),
        );
        let inner = planned
            .rows
            .clone()
            .select_only()
            .columns(self.columns.iter().map(|col| col.column()))
            .into_query();
        let mut q = Query::select();
        for col in &self.columns {
            q.column((c.clone(), col.column()));
        }
        q.from_subquery(inner, c.clone());
        if self.count {
            q.expr(Expr::SubQuery(None, Box::new(planned.count.clone().into())));
        }
        let direction = if planned.ahead {
            Order::Desc
        } else {
            Order::Asc
        };
        q.order_by((c.clone(), customer::Column::Id), direction);
        if self.subscriptions {
            use subscription::Column as S;
            for col in [
                S::Id,
                S::OfferId,
                S::Quantity,
                S::Status,
                S::PartnerOfRecordId,
                S::SupportContactPartnerId,
                S::CreatedAt,
                S::UpdatedAt,
            ] {
                q.column((s.clone(), col));
            }
            q.column((o.clone(), offer::Column::Name));
            q.column((sc.clone(), partner::Column::CompanyName));
            q.column((por.clone(), partner::Column::CompanyName));
            q.join_as(
                JoinType::LeftJoin,
                subscription::Entity,
                s.clone(),
                Expr::col((s.clone(), S::CustomerId)).equals((c.clone(), customer::Column::Id)),
            );
            q.join_as(
                JoinType::LeftJoin,
                offer::Entity,
                o.clone(),
                Expr::col((o.clone(), offer::Column::Id)).equals((s.clone(), S::OfferId)),
            );
            q.join_as(
                JoinType::LeftJoin,
                partner::Entity,
                sc.clone(),
                Expr::col((sc.clone(), partner::Column::Id))
                    .equals((s.clone(), S::SupportContactPartnerId)),
            );
            q.join_as(
                JoinType::LeftJoin,
                partner::Entity,
                por.clone(),
                Expr::col((por.clone(), partner::Column::Id))
                    .equals((s.clone(), S::PartnerOfRecordId)),
            );
            q.order_by((s, S::Id), Order::Asc);
        }
        q.to_owned()
    }

    /// Rows by position into customers (each once, in statement order) with their
    /// subscriptions; the count from the first row.
    fn decode(&self, results: &[QueryResult]) -> Result<(Vec<Row>, Option<i64>), sea_orm::DbErr> {
        let mut rows: Vec<Row> = Vec::new();
        let mut total = None;
        let n = self.columns.len();
        let subs_at = n + usize::from(self.count);
        for r in results {
            let id: i32 = r.try_get_by_index(0)?;
            if rows.last().is_none_or(|last| last.id != id) {
                let mut row = Row {
                    id,
                    ..Row::default()
                };
                for (i, col) in self.columns.iter().enumerate().skip(1) {
                    match col {
                        Col::CreatedAt => row.created_at = Some(r.try_get_by_index(i)?),
                        col if col.nullable() => {
                            row.text[*col as usize - 1] = r.try_get_by_index::<Option<String>>(i)?
                        }
                        col => row.text[*col as usize - 1] = Some(r.try_get_by_index::<String>(i)?),
                    }
                }
                if self.count && total.is_none() {
                    total = Some(r.try_get_by_index::<i64>(n)?);
                }
                rows.push(row);
            }
            if !self.subscriptions {
                continue;
            }
            let Some(sub_id) = r.try_get_by_index::<Option<i32>>(subs_at)? else {
                continue;
            };
            let at = |i: usize| subs_at + i;
            let sub = SubRow {
                id: sub_id,
                offer_id: r.try_get_by_index(at(1))?,
                quantity: r.try_get_by_index(at(2))?,
                status: r.try_get_by_index(at(3))?,
                partner_of_record_id: r.try_get_by_index(at(4))?,
                support_contact_id: r.try_get_by_index(at(5))?,
                created_at: r.try_get_by_index(at(6))?,
                updated_at: r.try_get_by_index(at(7))?,
                offer_name: r.try_get_by_index(at(8))?,
                support_contact_name: r.try_get_by_index(at(9))?,
                partner_of_record_name: r.try_get_by_index(at(10))?,
            };
            if let Some(row) = rows.last_mut() {
                row.subscriptions.push(sub);
            }
        }
        Ok((rows, total))
    }
}

fn customer(out: &mut Out, fields: &[(Key, Field)], row: &Row) -> Result<(), Fallback> {
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

trait CheckedInt {
    fn as_i64_checked(&self) -> Option<i32>;
}

impl CheckedInt for async_graphql::Value {
    fn as_i64_checked(&self) -> Option<i32> {
        match self {
            async_graphql::Value::Number(n) => n.as_i64().and_then(|n| i32::try_from(n).ok()),
            _ => None,
        }
    }
}
