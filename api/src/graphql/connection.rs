//! Relay cursor connections over any SeaORM `Select`.
//!
//! `first` or `last` is required and capped at 100; cursors are opaque offsets; every
//! connection carries `totalCount`. Complexity grows with the page size (see [`cost`]).

use crate::error::ApiError;
use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{OutputType, SimpleObject};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QuerySelect, QueryTrait, Select,
};
use worker::msg;

pub const MAX_PAGE_SIZE: i32 = 100;

#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct ConnectionFields {
    /// Number of items matching the filters, over all pages.
    pub total_count: u64,
}

/// A position in a list, opaque to clients.
pub struct OffsetCursor(pub u64);

impl CursorType for OffsetCursor {
    type Error = &'static str;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| "invalid cursor")?;
        let text = std::str::from_utf8(&bytes).map_err(|_| "invalid cursor")?;
        let n = text
            .strip_prefix("offset:")
            .and_then(|n| n.parse().ok())
            .ok_or("invalid cursor")?;
        Ok(Self(n))
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("offset:{}", self.0))
    }
}

pub type Page<T> = Connection<OffsetCursor, T, ConnectionFields>;

/// Complexity of a connection field: the page size times the cost of one node.
pub fn cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let n = first
        .or(last)
        .unwrap_or(MAX_PAGE_SIZE)
        .clamp(0, MAX_PAGE_SIZE) as usize;
    1 + n * child_complexity
}

/// The four Relay arguments, validated.
#[derive(Debug, Clone, Copy)]
pub struct PageArgs {
    after: Option<u64>,
    before: Option<u64>,
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
        let cursor = |name: &str, c: Option<String>| -> Result<Option<u64>, ApiError> {
            c.map(|c| {
                OffsetCursor::decode_cursor(&c)
                    .map(|c| c.0)
                    .map_err(|_| ApiError::BadUserInput(msg!("error-cursor", argument = name)))
            })
            .transpose()
        };
        Ok(Self {
            after: cursor("after", after)?,
            before: cursor("before", before)?,
            first,
            last,
        })
    }

    /// The `[start, end)` window of the list these arguments select.
    pub fn window(&self, total: u64) -> (u64, u64) {
        let mut start = self.after.map_or(0, |a| a.saturating_add(1)).min(total);
        let mut end = self.before.unwrap_or(total).min(total).max(start);
        if let Some(first) = self.first {
            end = end.min(start.saturating_add(first));
        }
        if let Some(last) = self.last {
            start = start.max(end.saturating_sub(last));
        }
        (start, end)
    }
}

/// Runs `select` for one page and wraps each row with `wrap`.
pub async fn paginate<E, M, T, C>(
    db: &C,
    select: Select<E>,
    args: PageArgs,
    wrap: impl Fn(M) -> T,
) -> Result<Page<T>, ApiError>
where
    E: EntityTrait<Model = M>,
    M: FromQueryResult + Sized + Send + Sync,
    T: OutputType,
    C: ConnectionTrait,
{
    let total = select.clone().count(db).await?;
    let (start, end) = args.window(total);
    let rows = if end > start {
        select.offset(start).limit(end - start).all(db).await?
    } else {
        Vec::new()
    };
    Ok(build(rows, start, end, total, wrap))
}

/// Like [`paginate`], for long lists ordered by their key `key`: one statement finds the
/// page's keys in a subquery (an index-only scan where an index covers the filter and the
/// key), and loads just those rows. With a plain `ORDER BY key LIMIT n`, PostgreSQL's
/// planner walks the primary key backwards and filters, which crawls through every other
/// owner's rows when the newest rows all belong to someone else.
pub async fn paginate_by_key<E, M, T, C>(
    db: &C,
    select: Select<E>,
    key: E::Column,
    args: PageArgs,
    wrap: impl Fn(M) -> T,
) -> Result<Page<T>, ApiError>
where
    E: EntityTrait<Model = M>,
    M: FromQueryResult + Sized + Send + Sync,
    T: OutputType,
    C: ConnectionTrait,
{
    let total = select.clone().count(db).await?;
    let (start, end) = args.window(total);
    let rows = if end > start {
        let page_keys = select
            .clone()
            .select_only()
            .column(key)
            .offset(start)
            .limit(end - start)
            .into_query();
        select.filter(key.in_subquery(page_keys)).all(db).await?
    } else {
        Vec::new()
    };
    Ok(build(rows, start, end, total, wrap))
}

/// Wraps an already-fetched window `[start, end)` of a list of `total` items.
pub fn build<M, T: OutputType>(
    rows: Vec<M>,
    start: u64,
    end: u64,
    total: u64,
    mut wrap: impl FnMut(M) -> T,
) -> Page<T> {
    let mut page = Connection::with_additional_fields(
        start > 0,
        end < total,
        ConnectionFields { total_count: total },
    );
    page.edges.extend(
        rows.into_iter()
            .enumerate()
            .map(|(i, row)| Edge::new(OffsetCursor(start + i as u64), wrap(row))),
    );
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(after: Option<u64>, first: Option<i32>, last: Option<i32>) -> PageArgs {
        PageArgs::new(
            after.map(|a| OffsetCursor(a).encode_cursor()),
            None,
            first,
            last,
        )
        .unwrap()
    }

    #[test]
    fn windows() {
        assert_eq!(args(None, Some(10), None).window(25), (0, 10));
        assert_eq!(args(Some(9), Some(10), None).window(25), (10, 20));
        assert_eq!(args(Some(19), Some(10), None).window(25), (20, 25));
        assert_eq!(args(None, None, Some(5)).window(25), (20, 25));
        assert_eq!(args(Some(30), Some(10), None).window(25), (25, 25));
        assert_eq!(args(Some(u64::MAX), Some(10), None).window(25), (25, 25));
    }

    #[test]
    fn page_size_is_required_and_capped() {
        assert!(PageArgs::new(None, None, None, None).is_err());
        assert!(PageArgs::new(None, None, Some(101), None).is_err());
        assert!(PageArgs::new(None, None, Some(-1), None).is_err());
        assert!(PageArgs::new(Some("garbage".into()), None, Some(1), None).is_err());
    }
}
