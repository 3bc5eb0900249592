//! Lists whose rows are those meeting any of several conditions, each served by an index
//! of its own (an audit entry is seen by the organization that acted and by the one it
//! concerns): a page reads each condition's own page by its own index and merges them,
//! where one `OR` filter made PostgreSQL walk the primary key.

use super::Key;
use super::keyset::ordered;
use sea_orm::sea_query::{Alias, Asterisk, Expr, Query, SelectStatement, UnionType};
use sea_orm::{Condition, EntityTrait, QueryFilter, QuerySelect, QueryTrait, Select};

/// How a page's rows are found.
#[derive(Debug, Clone)]
pub enum Scan {
    /// `ORDER BY key LIMIT n` over the filtered list.
    Plain,
    /// The page's keys in a subquery, then their rows ([`super::paginate_by_key`]).
    ByKey,
    /// The list is the rows meeting any of these conditions, each one served by an index of
    /// its own (`actor = $1 OR subject = $1`): see [`any_of`].
    Any(Vec<Condition>),
}

/// The first `limit` rows of `select` in `order` (reversed unless `ahead`) that meet any of
/// `alternatives`. Each alternative's own first `limit` rows are read apart, by its own
/// index, and their union sorted again: a row among the first `limit` of the whole list is
/// among the first `limit` of every alternative it meets. With the OR in one filter,
/// PostgreSQL's planner walked the primary key and filtered, which crawls through every
/// other owner's rows when the newest rows all belong to someone else; with the union's
/// keys joined back to the table it merge-joined along the primary key just the same, so
/// the rows come out of the branches themselves. The union removes a row met by two
/// alternatives (the entity's columns must be comparable: no `json`).
pub fn any_of<E: EntityTrait>(
    select: Select<E>,
    alternatives: &[Condition],
    order: &[Key<E::Column>],
    ahead: bool,
    limit: u64,
) -> Select<E> {
    let pages = alternatives.iter().enumerate().map(|(i, alternative)| {
        let page = ordered(select.clone().filter(alternative.clone()), order, ahead)
            .limit(limit)
            .into_query();
        // A derived table of its own: PostgreSQL and SQLite differ on a bare
        // `ORDER BY … LIMIT` inside a UNION's member.
        Query::select()
            .column(Asterisk)
            .from_subquery(page, Alias::new(format!("alternative{i}")))
            .to_owned()
    });
    let Some(rows) = union(pages, UnionType::Distinct) else {
        // No alternative lets anything through.
        return select.filter(Expr::cust("1 = 0"));
    };
    // The union under the table's own name: the entity's columns read from it as they are.
    let mut merged = E::find();
    QueryTrait::query(&mut merged)
        .from_clear()
        .from_subquery(rows, Alias::new(E::default().table_name()));
    ordered(merged, order, ahead).limit(limit)
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
