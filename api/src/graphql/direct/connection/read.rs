//! Reading a connection's page for a plan: the page arguments of the request, the page's
//! statement, and the rows settled into the page as the general path settles them.

use super::{ConnectionPlan, Page};
use crate::graphql::connection::{self, Key as SortKey, PageArgs, Planned, Scan};
use crate::graphql::direct::select::{Arg, Scalar, resolve};
use crate::graphql::direct::{Fallback, Request};
use sea_orm::sea_query::{Alias, Expr, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryResult, QueryTrait, Select};

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
}
