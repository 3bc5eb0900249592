//! The keyset query behind every page: the rows beyond a cursor's key, in the list's
//! order or its reverse, one more than asked for to tell whether more follow.

use super::any::{Scan, any_of, count_of_any};
use super::{Key, PageArgs, Window, cursor};
use crate::error::ApiError;
use sea_orm::sea_query::{Expr, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, Order, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Select, Value,
};

impl<C: ColumnTrait> Key<C> {
    /// The column compared with `value`: beyond it when read in list order (`ahead`) or
    /// against it, and also equal when `or_equal`.
    fn compare(self, value: Value, ahead: bool, or_equal: bool) -> Expr {
        let c = self.column();
        match (self.ascending() == ahead, or_equal) {
            (true, false) => c.gt(value),
            (true, true) => c.gte(value),
            (false, false) => c.lt(value),
            (false, true) => c.lte(value),
        }
    }
}

/// The rows beyond the key `at` in list order (`ahead`) or against it, `at`'s own row
/// included when `inclusive`: (k1 > v1) OR (k1 = v1 AND k2 > v2) OR ...
fn beyond<C: ColumnTrait>(
    order: &[Key<C>],
    at: &[Value],
    ahead: bool,
    inclusive: bool,
) -> Condition {
    let mut any = Condition::any();
    for (i, key) in order.iter().enumerate() {
        let mut all = Condition::all();
        for (k, v) in order.iter().zip(at).take(i) {
            all = all.add(k.column().eq(v.clone()));
        }
        let last = i + 1 == order.len();
        any = any.add(all.add(key.compare(at[i].clone(), ahead, inclusive && last)));
    }
    // A bound on the first column alone gives the planner an index range to start from.
    Condition::all()
        .add(order[0].compare(at[0].clone(), ahead, true))
        .add(any)
}

/// The page: `first` rows ahead of `after` (or `last` rows back from `before`) in list
/// order, short of the other cursor if both are given. The query starts *at* the cursor
/// it pages away from: finding that row tells whether anything lies behind the page,
/// without a second statement (only a deleted cursor row costs one).
pub(super) async fn fetch<E, M, C>(
    db: &C,
    select: Select<E>,
    order: &[Key<E::Column>],
    args: PageArgs,
    scan: Scan,
) -> Result<Window<M>, ApiError>
where
    E: EntityTrait<Model = M>,
    M: FromQueryResult + Sized + Send + Sync,
    C: ConnectionTrait,
{
    let planned = Planned::new(select, order, args, scan)?;
    let mut rows = planned.rows.clone().all(db).await?;
    let (has_previous, has_next) = planned
        .settle(db, &mut rows, |r| cursor::key_of::<E>(r, order))
        .await?;
    let tag = cursor::tag::<E>(order);
    let cursors = rows
        .iter()
        .map(|r| cursor::encode(&tag, &cursor::key_of::<E>(r, order)))
        .collect::<Result<_, _>>()?;
    Ok(Window {
        rows,
        cursors,
        has_previous,
        has_next,
        count: planned.count,
    })
}

/// One page's statement before it runs, and what it takes to turn its rows into the page
/// ([`Planned::settle`]). The prepared-plan executor (`graphql::direct`) runs `rows` inside
/// a statement of its own (joined with what the page shows) and settles the same way, so
/// both paths page alike.
pub struct Planned<E: EntityTrait> {
    /// The rows of the page in the order to read them (reversed when paging back), one or
    /// two more than asked for.
    pub rows: Select<E>,
    /// `SELECT COUNT(*)` over the list's filters.
    pub count: SelectStatement,
    /// Paging forwards (`first`).
    pub ahead: bool,
    /// The list's filters (without `Scan::Any`'s alternatives, which `scan` applies).
    base: Select<E>,
    scan: Scan,
    order: Vec<Key<E::Column>>,
    from: Option<Vec<Value>>,
    to: Option<Vec<Value>>,
    n: u64,
}

impl<E: EntityTrait> Planned<E> {
    pub fn new(
        mut select: Select<E>,
        order: &[Key<E::Column>],
        args: PageArgs,
        scan: Scan,
    ) -> Result<Self, ApiError> {
        assert!(!order.is_empty(), "a list needs an order");
        let after = args.after.map(|c| c.values_for::<E>(order)).transpose()?;
        let before = args.before.map(|c| c.values_for::<E>(order)).transpose()?;
        QueryTrait::query(&mut select).clear_order_by();
        // `Scan::Any`'s alternatives are never one filter of `select`: each statement below
        // applies them one by one.
        let count = match &scan {
            Scan::Any(alternatives) => count_of_any(&select, alternatives),
            Scan::Plain | Scan::ByKey => count_of(&select),
        };
        let ahead = args.first.is_some();
        let n = args.first.or(args.last).unwrap_or(0);
        let (from, to) = if ahead {
            (after, before)
        } else {
            (before, after)
        };

        let within = |mut page: Select<E>| {
            if let Some(at) = &from {
                page = page.filter(beyond(order, at, ahead, true));
            }
            if let Some(at) = &to {
                page = page.filter(beyond(order, at, !ahead, false));
            }
            page
        };
        let limit = n + 1 + u64::from(from.is_some());
        let rows = match &scan {
            Scan::Plain => ordered(within(select.clone()), order, ahead).limit(limit),
            Scan::ByKey => {
                let unique = order[order.len() - 1].column();
                let ids = ordered(within(select.clone()), order, ahead)
                    .select_only()
                    .column(unique)
                    .limit(limit)
                    .into_query();
                // The keys already meet the list's filters (the same rows, in the same
                // statement's snapshot), so the rows are looked up by key alone. With the
                // filters repeated around the keys, PostgreSQL multiplied their selectivity
                // into an estimate of one row and probed every name joined to the customers
                // page row by row (1,640 buffers against 440; the statement ran 23 % slower).
                ordered(E::find().filter(unique.in_subquery(ids)), order, ahead)
            }
            Scan::Any(alternatives) => {
                any_of(within(select.clone()), alternatives, order, ahead, limit)
            }
        };
        Ok(Self {
            rows,
            count,
            ahead,
            base: select,
            scan,
            order: order.to_vec(),
            from,
            to,
            n,
        })
    }

    /// Whether a row of the list meets `condition` (found as the page's rows are found).
    async fn exists<C: ConnectionTrait>(
        &self,
        db: &C,
        condition: Condition,
    ) -> Result<bool, ApiError> {
        let select = match &self.scan {
            Scan::Any(alternatives) => {
                let select = self.base.clone().filter(condition);
                any_of(select, alternatives, &self.order, true, 1)
            }
            Scan::Plain | Scan::ByKey => self.base.clone().filter(condition).limit(1),
        };
        let found: Option<i32> = select
            .select_only()
            .expr_as(Expr::cust("1"), "found")
            .into_tuple()
            .one(db)
            .await?;
        Ok(found.is_some())
    }

    /// Turns the rows read (in the order of [`Planned::rows`]) into the page in list
    /// order: drops the cursor's own row, the one read beyond the page, and says whether
    /// items lie (before, after) it.
    pub async fn settle<R, C: ConnectionTrait>(
        &self,
        db: &C,
        rows: &mut Vec<R>,
        key_of: impl Fn(&R) -> Vec<Value>,
    ) -> Result<(bool, bool), ApiError> {
        let (order, ahead) = (&self.order[..], self.ahead);
        let mut behind = false;
        if let Some(at) = &self.from {
            if rows.first().is_some_and(|r| key_of(r) == *at) {
                rows.remove(0);
                behind = true;
            } else {
                behind = self.exists(db, beyond(order, at, !ahead, false)).await?;
            }
        }
        let further = if rows.len() as u64 > self.n {
            rows.truncate(self.n as usize);
            true
        } else if let Some(at) = &self.to {
            self.exists(db, beyond(order, at, ahead, true)).await?
        } else {
            false
        };
        if !ahead {
            rows.reverse();
        }
        Ok(if ahead {
            (behind, further)
        } else {
            (further, behind)
        })
    }
}

/// `select` in `order`, or in reverse when paging back.
pub(super) fn ordered<E: EntityTrait>(
    mut select: Select<E>,
    order: &[Key<E::Column>],
    ahead: bool,
) -> Select<E> {
    for key in order {
        let dir = if key.ascending() == ahead {
            Order::Asc
        } else {
            Order::Desc
        };
        select = select.order_by(key.column(), dir);
    }
    select
}

/// `SELECT COUNT(*)` of an unordered `select`, as SeaORM's paginator counts.
fn count_of<E: EntityTrait>(select: &Select<E>) -> SelectStatement {
    SelectStatement::new()
        .expr(Expr::cust("COUNT(*) AS num_items"))
        .from_subquery(select.clone().into_query(), "sub_query")
        .to_owned()
}
