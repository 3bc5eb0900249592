//! The Relay connection of the hot shapes' plans (customers, partnerships): its arguments,
//! `totalCount`, `pageInfo`, `edges` with their cursors and `nodes`, recognized and written
//! the same way for every list; what a node is and how its rows are read is the list's own
//! plan. Paging is `graphql::connection`'s (`Planned`: the same keyset statement, the same
//! settling of the rows read, the same cursors), so both paths page alike (`read`).

mod read;

use super::json::{Key, Out, object};
use super::select::{Arg, Doc, Scalar, Sel};
use super::{Fallback, Request};
use crate::auth::Actor;

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
