//! The customers page read: its one statement, and its rows by position.

use super::{Col, CustomersPlan, ORDER};
use crate::customers::access;
use crate::graphql::connection::{Planned, Scan};
use crate::graphql::direct::connection::{self, Page};
use crate::graphql::direct::{Fallback, Request};
use chrono::{DateTime, Utc};
use entity::enums::SubscriptionStatus;
use entity::{customer, offer, partner, subscription};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use sea_orm::{QueryResult, QuerySelect, QueryTrait};

/// One customer of the page, with the columns read.
#[derive(Default)]
pub(super) struct Row {
    pub(super) id: i32,
    pub(super) text: [Option<String>; 12],
    pub(super) created_at: Option<DateTime<Utc>>,
    pub(super) subscriptions: Vec<SubRow>,
}

impl Row {
    pub(super) fn text(&self, col: Col) -> Option<&str> {
        self.text[col as usize - 1].as_deref()
    }
}

pub(super) struct SubRow {
    pub(super) id: i32,
    pub(super) offer_id: i32,
    pub(super) quantity: i32,
    pub(super) status: SubscriptionStatus,
    pub(super) partner_of_record_id: Option<i32>,
    pub(super) support_contact_id: i32,
    pub(super) created_at: DateTime<Utc>,
    pub(super) updated_at: DateTime<Utc>,
    pub(super) offer_name: Option<String>,
    pub(super) support_contact_name: Option<String>,
    pub(super) partner_of_record_name: Option<String>,
}

impl CustomersPlan {
    pub(super) async fn read(
        &self,
        variables: &async_graphql::Variables,
        request: &Request<'_>,
    ) -> Result<Page<Row>, Fallback> {
        let actor = connection::caller(request)?;
        let select = access::visible_customers(actor).map_err(|_| Fallback("not visible"))?;
        self.connection
            .read(
                request,
                variables,
                (select, &ORDER, Scan::ByKey),
                |planned| self.statement(planned),
                |results| self.decode(results),
                |r| r.id,
            )
            .await
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
        if self.connection.count {
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
        let subs_at = n + usize::from(self.connection.count);
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
                if self.connection.count && total.is_none() {
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
