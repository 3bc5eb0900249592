//! Relay cursor connections over any SeaORM `Select`, paged by key.
//!
//! Every list has an order ending in a unique column (its [`Key`]s); an edge's cursor holds
//! the values of its row's key ([`cursor`]), and a page is "the n rows beyond these values":
//! `WHERE key > cursor ORDER BY key LIMIT n + 1`. An index on a list's filter columns and
//! its key serves page 1,000 in the time of page 1, where an offset would make the database
//! walk every skipped row; and rows inserted or deleted between two fetches no longer make
//! the next page repeat or skip items.
//!
//! `first` or `last` is required and capped at 100. `totalCount` is its own count
//! statement, run only when the field is selected. Complexity grows with the page size
//! (see [`cost`]).

mod any;
mod cursor;
mod keyset;

use crate::error::ApiError;
pub use any::{Scan, any_of};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Object, OutputType};
pub use cursor::KeyCursor;
use cursor::RawCursor;
/// For executors that page themselves (`graphql::direct`): a list's cursor tag, and a
/// row's cursor from its key.
pub use cursor::{encode as encode_cursor, tag as cursor_tag};
pub use keyset::Planned;
use keyset::fetch;
use sea_orm::sea_query::SelectStatement;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, Select};
use worker::msg;

pub const MAX_PAGE_SIZE: i32 = 100;

/// One column of a list's order. The last key of an order must be unique (the id), so
/// every row has a position of its own.
#[derive(Debug, Clone, Copy)]
pub enum Key<C> {
    Asc(C),
    Desc(C),
}

impl<C: ColumnTrait> Key<C> {
    pub fn column(self) -> C {
        match self {
            Key::Asc(c) | Key::Desc(c) => c,
        }
    }

    pub fn ascending(self) -> bool {
        matches!(self, Key::Asc(_))
    }
}

/// The fields every connection adds to Relay's.
pub struct ConnectionFields {
    /// `SELECT COUNT(*)` over the list's filters, run only if `totalCount` is selected.
    count: SelectStatement,
}

#[Object]
impl ConnectionFields {
    /// Number of items matching the filters, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        let row = super::db(ctx)
            .query_one(&self.count)
            .await
            .map_err(ApiError::from)?;
        let n = match row {
            Some(row) => row
                .try_get::<i64>("", "num_items")
                .map_err(ApiError::from)?,
            None => 0,
        };
        Ok(n as u64)
    }
}

pub type Page<T> = Connection<KeyCursor, T, ConnectionFields>;

/// Complexity of a connection field: the page size times the cost of one node.
pub fn cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let n = first
        .or(last)
        .unwrap_or(MAX_PAGE_SIZE)
        .clamp(0, MAX_PAGE_SIZE) as usize;
    1 + n * child_complexity
}

/// The four Relay arguments, validated (cursors are checked against their list later).
#[derive(Debug, Clone)]
pub struct PageArgs {
    after: Option<RawCursor>,
    before: Option<RawCursor>,
    first: Option<u64>,
    last: Option<u64>,
}

impl PageArgs {
    pub fn new(
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Self, ApiError> {
        let size = |name: &str, v: Option<i32>| -> Result<Option<u64>, ApiError> {
            match v {
                None => Ok(None),
                Some(n) if (0..=MAX_PAGE_SIZE).contains(&n) => Ok(Some(n as u64)),
                Some(n) => Err(ApiError::BadUserInput(msg!(
                    "error-page-size",
                    argument = name,
                    max = MAX_PAGE_SIZE,
                    got = n
                ))),
            }
        };
        let first = size("first", first)?;
        let last = size("last", last)?;
        if first.is_none() && last.is_none() {
            return Err(ApiError::BadUserInput(msg!(
                "error-page-size-required",
                max = MAX_PAGE_SIZE
            )));
        }
        if first.is_some() && last.is_some() {
            return Err(ApiError::BadUserInput(msg!("error-page-size-both")));
        }
        Ok(Self {
            after: after.map(|c| RawCursor::decode("after", &c)).transpose()?,
            before: before
                .map(|c| RawCursor::decode("before", &c))
                .transpose()?,
            first,
            last,
        })
    }
}

/// One page of rows, before they become nodes (for resolvers that load more per page).
pub struct Window<M> {
    pub rows: Vec<M>,
    cursors: Vec<String>,
    has_previous: bool,
    has_next: bool,
    count: SelectStatement,
}

impl<M> Window<M> {
    pub fn into_page<T: OutputType>(self, mut wrap: impl FnMut(M) -> T) -> Page<T> {
        let fields = ConnectionFields { count: self.count };
        let mut page = Connection::with_additional_fields(self.has_previous, self.has_next, fields);
        page.edges.extend(
            self.rows
                .into_iter()
                .zip(self.cursors)
                .map(|(row, c)| Edge::new(KeyCursor(c), wrap(row))),
        );
        page
    }
}

/// One page of `select` in `order` (which replaces any order `select` has), each row
/// wrapped with `wrap`.
pub async fn paginate<E, M, T, C>(
    db: &C,
    select: Select<E>,
    order: &[Key<E::Column>],
    args: PageArgs,
    wrap: impl FnMut(M) -> T,
) -> Result<Page<T>, ApiError>
where
    E: EntityTrait<Model = M>,
    M: FromQueryResult + Sized + Send + Sync,
    T: OutputType,
    C: ConnectionTrait,
{
    Ok(window(db, select, order, args).await?.into_page(wrap))
}

/// Like [`paginate`], newest first by the unique `key`, for long lists owned by one of many
/// owners: one statement finds the page's keys in a subquery (an index-only scan where an
/// index covers the filter and the key) and loads just those rows. With a plain `ORDER BY
/// key LIMIT n`, PostgreSQL's planner walked the primary key backwards and filtered, which
/// crawls through every other owner's rows when the newest rows all belong to someone else.
/// `select` must be `E::find()` with filters: the rows are then loaded by key alone.
pub async fn paginate_by_key<E, M, T, C>(
    db: &C,
    select: Select<E>,
    key: E::Column,
    args: PageArgs,
    wrap: impl FnMut(M) -> T,
) -> Result<Page<T>, ApiError>
where
    E: EntityTrait<Model = M>,
    M: FromQueryResult + Sized + Send + Sync,
    T: OutputType,
    C: ConnectionTrait,
{
    Ok(fetch(db, select, &[Key::Desc(key)], args, Scan::ByKey)
        .await?
        .into_page(wrap))
}

/// Like [`paginate`], the page's rows found by `scan` (e.g. [`Scan::Any`]: the rows meeting
/// any of several conditions, each served by an index of its own).
pub async fn paginate_with<E, M, T, C>(
    db: &C,
    select: Select<E>,
    order: &[Key<E::Column>],
    scan: Scan,
    args: PageArgs,
    wrap: impl FnMut(M) -> T,
) -> Result<Page<T>, ApiError>
where
    E: EntityTrait<Model = M>,
    M: FromQueryResult + Sized + Send + Sync,
    T: OutputType,
    C: ConnectionTrait,
{
    Ok(fetch(db, select, order, args, scan).await?.into_page(wrap))
}

/// The rows of one page of `select` in `order`, with their cursors.
pub async fn window<E, M, C>(
    db: &C,
    select: Select<E>,
    order: &[Key<E::Column>],
    args: PageArgs,
) -> Result<Window<M>, ApiError>
where
    E: EntityTrait<Model = M>,
    M: FromQueryResult + Sized + Send + Sync,
    C: ConnectionTrait,
{
    fetch(db, select, order, args, Scan::Plain).await
}
