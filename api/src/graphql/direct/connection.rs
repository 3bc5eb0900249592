//! The Relay connection of the hot shapes' plans (customers, partnerships): its arguments,
//! `totalCount`, `pageInfo`, `edges` with their cursors and `nodes`, recognized and written
//! the same way for every list; what a node is and how its rows are read is the list's own
//! plan. Paging is `graphql::connection`'s (`Planned`: the same keyset statement, the same
//! settling of the rows read, the same cursors), so both paths page alike.

use super::json::{Key, Out, object};
use super::select::{Arg, Doc, Scalar, Sel, resolve};
use super::{Fallback, Request};
use crate::auth::Actor;
use crate::graphql::connection::{self, Key as SortKey, PageArgs, Planned, Scan};
use sea_orm::sea_query::{Alias, Expr, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryResult, QueryTrait, Select};

/// A connection field as selected: its page arguments and what to write, in order.
#[derive(Debug)]
pub struct ConnectionPlan<N> {
    first: Arg,
    last: Arg,
    after: Arg,
    before: Arg,
    /// `CustomerConnection`, `CustomerEdge`.
    names: (&'static str, &'static str),
    members: Vec<(Key, Conn<N>)>,
    /// `totalCount` is selected.
    pub count: bool,
}

#[derive(Debug)]
enum Conn<N> {
    Typename,
    TotalCount,
    PageInfo(Vec<(Key, PageInfo)>),
    Edges(Vec<(Key, Edge<N>)>),
    Nodes(N),
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
enum Edge<N> {
    Typename,
    Cursor,
    Node(N),
}

/// A page as read: the rows in list order, each one's cursor, and the page info.
pub struct Page<R> {
    pub rows: Vec<R>,
    pub cursors: Vec<String>,
    pub has_previous: bool,
    pub has_next: bool,
    pub total: Option<i64>,
}

/// The caller as the general path's resolvers take it (`auth::actor`): signed in, and
/// without a temporary password still in place (the general path answers those).
pub fn caller<'a>(request: &Request<'a>) -> Result<&'a Actor, Fallback> {
    let actor = request.actor.ok_or(Fallback("signed out"))?;
    crate::auth::usable(actor).map_err(|_| Fallback("password change"))
}

/// Recognizes `sel`, a connection with only the page arguments, whose type names are
/// `names` (connection, edge); `node` recognizes a node's selection (under `edges.node`
/// and under `nodes`).
pub fn recognize<'a, N>(
    doc: &Doc<'a>,
    sel: &Sel<'a>,
    names: (&'static str, &'static str),
    mut node: impl FnMut(&Sel<'a>) -> Option<N>,
) -> Option<ConnectionPlan<N>> {
    if !sel.arguments_among(&["first", "last", "after", "before"]) {
        return None;
    }
    let mut plan = ConnectionPlan {
        first: doc.arg(sel, "first", Scalar::Int)?,
        last: doc.arg(sel, "last", Scalar::Int)?,
        after: doc.arg(sel, "after", Scalar::String)?,
        before: doc.arg(sel, "before", Scalar::String)?,
        names,
        members: Vec::new(),
        count: false,
    };
    for f in doc.fields(&sel.object()?, names.0)? {
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
                    let field = match p.name {
                        "__typename" => PageInfo::Typename,
                        "hasPreviousPage" => PageInfo::HasPreviousPage,
                        "hasNextPage" => PageInfo::HasNextPage,
                        "startCursor" => PageInfo::StartCursor,
                        "endCursor" => PageInfo::EndCursor,
                        _ => return None,
                    };
                    members.push((p.json_key(), field));
                }
                Conn::PageInfo(members)
            }
            "edges" if f.arguments_among(&[]) => {
                let mut members = Vec::new();
                for e in doc.fields(&f.object()?, names.1)? {
                    let edge = match e.name {
                        "__typename" if e.leaf() => Edge::Typename,
                        "cursor" if e.leaf() => Edge::Cursor,
                        "node" if e.arguments_among(&[]) => Edge::Node(node(&e)?),
                        _ => return None,
                    };
                    members.push((e.json_key(), edge));
                }
                Conn::Edges(members)
            }
            "nodes" if f.arguments_among(&[]) => Conn::Nodes(node(&f)?),
            _ => return None,
        };
        plan.members.push((f.json_key(), member));
    }
    Some(plan)
}

impl<N> ConnectionPlan<N> {
    /// The page arguments of this request, checked as the general path checks them (an
    /// invalid combination or a malformed variable is left to it, to answer its error).
    fn args(&self, variables: &async_graphql::Variables) -> Result<PageArgs, Fallback> {
        let int = |arg: &Arg| -> Result<Option<i32>, Fallback> {
            match resolve(arg, variables, Scalar::Int).map_err(|()| Fallback("variable"))? {
                Some(async_graphql::Value::Number(n)) => {
                    Ok(n.as_i64().and_then(|n| i32::try_from(n).ok()))
                }
                _ => Ok(None),
            }
        };
        let string = |arg: &Arg| -> Result<Option<String>, Fallback> {
            match resolve(arg, variables, Scalar::String).map_err(|()| Fallback("variable"))? {
                Some(async_graphql::Value::String(s)) => Ok(Some(s)),
                _ => Ok(None),
            }
        };
        PageArgs::new(
            string(&self.after)?,
            string(&self.before)?,
            int(&self.first)?,
            int(&self.last)?,
        )
        .map_err(|_| Fallback("page arguments"))
    }

    /// The page's statement for a list read whole from its rows: `columns` of the page
    /// (`planned.rows`, as the derived table `alias`), then the count when selected, in
    /// the order the rows are read (`id` is the list's key). A plan joins what its nodes
    /// show to it.
    pub fn statement<E: EntityTrait>(
        &self,
        planned: &Planned<E>,
        alias: &str,
        columns: &[E::Column],
        id: E::Column,
    ) -> SelectStatement {
        let a = Alias::new(alias);
        let mut q = Query::select();
        for col in columns {
            q.column((a.clone(), *col));
        }
        q.from_subquery(planned.rows.clone().into_query(), a.clone());
        if self.count {
            q.expr(Expr::SubQuery(None, Box::new(planned.count.clone().into())));
        }
        let direction = if planned.ahead {
            Order::Desc
        } else {
            Order::Asc
        };
        q.order_by((a, id), direction);
        q
    }

    /// Reads the page of `select` (the general path's list, in `order`, found by `scan` as
    /// the general path finds it) for this request's arguments: the plan's `statement` of the
    /// page, its rows turned into nodes by `decode` (with the count when selected), then
    /// settled into the page (`page`).
    #[allow(clippy::too_many_arguments)]
    pub async fn read<E: EntityTrait, R>(
        &self,
        request: &Request<'_>,
        variables: &async_graphql::Variables,
        (select, order, scan): (Select<E>, &[SortKey<E::Column>], Scan),
        statement: impl FnOnce(&Planned<E>) -> SelectStatement,
        decode: impl FnOnce(&[QueryResult]) -> Result<(Vec<R>, Option<i64>), DbErr>,
        id: impl Fn(&R) -> i32,
    ) -> Result<Page<R>, Fallback> {
        let args = self.args(variables)?;
        let planned = Planned::new(select, order, args, scan).map_err(|_| Fallback("cursor"))?;
        let results = request
            .db
            .query_all(&statement(&planned))
            .await
            .map_err(|_| Fallback("database"))?;
        let (rows, total) = decode(&results).map_err(|_| Fallback("decoding"))?;
        self.page(request.db, &planned, order, rows, total, id)
            .await
    }

    /// Turns the rows read by `planned.rows` (in its order) into the page: settled as the
    /// general path settles them, with cursors, and the count when selected (`total`: read
    /// with the rows; an empty page has no row to carry it, so it is counted apart).
    async fn page<E: EntityTrait, R>(
        &self,
        db: &impl ConnectionTrait,
        planned: &Planned<E>,
        order: &[SortKey<E::Column>],
        mut rows: Vec<R>,
        mut total: Option<i64>,
        id: impl Fn(&R) -> i32,
    ) -> Result<Page<R>, Fallback> {
        if self.count && total.is_none() {
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
        let key = |r: &R| vec![sea_orm::Value::Int(Some(id(r)))];
        let (has_previous, has_next) = planned
            .settle(db, &mut rows, key)
            .await
            .map_err(|_| Fallback("database"))?;
        let tag = connection::cursor_tag::<E>(order);
        let cursors = rows
            .iter()
            .map(|r| connection::encode_cursor(&tag, &key(r)))
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

    /// Writes the connection's JSON; `node` writes one node.
    pub fn write<R>(
        &self,
        out: &mut Out,
        page: &Page<R>,
        node: impl Fn(&mut Out, &N, &R) -> Result<(), Fallback>,
    ) -> Result<(), Fallback> {
        object(out, &self.members, |out, member| match member {
            Conn::Typename => {
                out.string(self.names.0);
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
                            out.string(self.names.1);
                            Ok(())
                        }
                        Edge::Cursor => {
                            out.string(cursor);
                            Ok(())
                        }
                        Edge::Node(n) => node(out, n, row),
                    })?;
                }
                out.byte(b']');
                Ok(())
            }
            Conn::Nodes(n) => {
                out.byte(b'[');
                let mut first = true;
                for row in &page.rows {
                    out.comma(&mut first);
                    node(out, n, row)?;
                }
                out.byte(b']');
                Ok(())
            }
        })
    }
}
