//! Lists whose rows are those meeting any of several conditions, each served by an index
//! of its own (an audit entry is seen by the organization that acted and by the one it
//! concerns): a page reads each condition's own page by its own index and merges them,
//! where one `OR` filter made PostgreSQL walk the primary key.

use super::Key;
use super::keyset::ordered;
use sea_orm::sea_query::{Alias, Asterisk, Expr, Query, SelectStatement, UnionType};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, Order, QueryFilter, QuerySelect, QueryTrait, Select,
};

/// How a page's rows are found.
#[derive(Debug, Clone)]
pub enum Scan {
    /// `ORDER BY key LIMIT n` over the filtered list.
    Plain,
    /// The page's keys in a subquery, then their rows by key alone
    /// ([`super::paginate_by_key`]): the list's select must be the entity's own rows
    /// (`E::find()` and filters, no joins or chosen columns), as every caller's is.
    ByKey,
    /// The list is the rows meeting any of these disjoint conditions (no row meets two),
    /// each one served by an index of its own (`actor = $1`, `subject = $1 AND actor <>
    /// $1`): see [`any_of`].
    Any(Vec<Condition>),
}

/// The first `limit` rows of `select` in `order` (reversed unless `ahead`) that meet any of
/// the disjoint `alternatives`. Each alternative's own first `limit` keys are read apart, by
/// its own index (index-only where it covers the condition), the first `limit` of them all
/// kept, and their rows loaded: a row among the first `limit` of the whole list is among the
/// first `limit` of the alternative it meets. With the OR in one filter, PostgreSQL's
/// planner walked the primary key and filtered, which crawls through every other owner's
/// rows when the newest rows all belong to someone else. The statement around the keys has
/// no `LIMIT` of its own: with one, the planner merge-joined the keys along the primary key
/// and crawled the same way; without, it looks each key up.
pub fn any_of<E: EntityTrait>(
    select: Select<E>,
    alternatives: &[Condition],
    order: &[Key<E::Column>],
    ahead: bool,
    limit: u64,
) -> Select<E> {
    let pages = alternatives.iter().enumerate().map(|(i, alternative)| {
        let mut page = ordered(select.clone().filter(alternative.clone()), order, ahead)
            .select_only()
            .limit(limit);
        for key in order {
            page = page.column(key.column());
        }
        // A derived table of its own: PostgreSQL and SQLite differ on a bare
        // `ORDER BY … LIMIT` inside a UNION's member.
        Query::select()
            .column(Asterisk)
            .from_subquery(page.into_query(), Alias::new(format!("alternative{i}")))
            .to_owned()
    });
    let Some(keys) = union(pages, UnionType::All) else {
        // No alternative lets anything through.
        return select.filter(Expr::cust("1 = 0"));
    };
    let unique = order[order.len() - 1].column();
    let mut first = Query::select();
    first
        .column(unique)
        .from_subquery(keys, Alias::new("alternatives"))
        .limit(limit);
    for key in order {
        let direction = if key.ascending() == ahead {
            Order::Asc
        } else {
            Order::Desc
        };
        first.order_by(key.column(), direction);
    }
    ordered(select.filter(unique.in_subquery(first)), order, ahead)
}

/// `SELECT COUNT(*)` of the rows of `select` meeting any of the disjoint `alternatives`:
/// the sum of each one's count, read by its own index (an index-only scan for a condition
/// its index covers). One `OR` filter was counted through a bitmap of both indexes that
/// visits a heap page per row (2,089 pages for a provider's 2,100 entries).
pub(super) fn count_of_any<E: EntityTrait>(
    select: &Select<E>,
    alternatives: &[Condition],
) -> SelectStatement {
    let counts = alternatives.iter().map(|alternative| {
        select
            .clone()
            .filter(alternative.clone())
            .select_only()
            .expr_as(Expr::cust("COUNT(*)"), "n")
            .into_query()
    });
    let Some(counts) = union(counts, UnionType::All) else {
        return Query::select()
            .expr(Expr::cust("CAST(0 AS BIGINT) AS num_items"))
            .to_owned();
    };
    // SUM of counts is NUMERIC in PostgreSQL: back to the count's own type.
    Query::select()
        .expr(Expr::cust("CAST(SUM(n) AS BIGINT) AS num_items"))
        .from_subquery(counts, Alias::new("counts"))
        .to_owned()
}

/// The statements' rows together; `None` for no statement.
fn union(
    mut statements: impl Iterator<Item = SelectStatement>,
    kind: UnionType,
) -> Option<SelectStatement> {
    let mut all = statements.next()?;
    for statement in statements {
        all.union(kind, statement);
    }
    Some(all)
}
