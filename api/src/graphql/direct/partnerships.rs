//! The partnership lists as prepared plans: `indirectResellers` (a provider's) and
//! `indirectProviders` (a reseller's), their connection, each partnership's own fields and
//! both parties' `Partner` fields (the columns of `partners`; `users` and the partnership's
//! `margin`, `incentives` and `usage` are left to the general path).
//!
//! One statement answers the page: the keyset page of `partnerships::service::list` (the
//! general path's), left-joined with the two parties when selected, with `totalCount` as
//! a scalar subquery. The general path sends the page, the count, and per partnership a
//! lookup of each party and a check that the caller ever partnered with it (which every
//! row of the caller's own list passes: its parties are the caller and its partner).

use super::connection::{self, ConnectionPlan, Page};
use super::json::{Key, Out, object};
use super::partner::{PARTNER_COLUMNS, PartnerField, partner_fields, party, party_at};
use super::select::{Doc, Sel};
use super::{Fallback, Request};
use crate::graphql::connection::{Key as SortKey, Planned, Scan};
use crate::graphql::ids::{self, NodeType};
use crate::partnerships::service::{self, Side};
use async_graphql::ScalarType;
use async_graphql::resolver_utils::enum_value;
use chrono::{DateTime, Utc};
use entity::enums::{PartnerKind, PartnershipStatus};
use entity::{partner, partnership};
use sea_orm::QueryResult;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, SelectStatement};

/// Which list: whose partnerships, seen from which side.
#[derive(Debug, Clone, Copy)]
pub enum List {
    /// `indirectResellers`: the caller is a provider.
    Resellers,
    /// `indirectProviders`: the caller is a reseller.
    Providers,
}

#[derive(Debug)]
pub struct PartnershipsPlan {
    list: List,
    connection: ConnectionPlan<Vec<(Key, Field)>>,
    /// The parties selected (provider, reseller): each is a join.
    parties: (bool, bool),
}

#[derive(Debug)]
enum Field {
    Typename,
    Id,
    Status,
    CreatedAt,
    EndedAt,
    Provider(Vec<(Key, PartnerField)>),
    Reseller(Vec<(Key, PartnerField)>),
}

const ORDER: [SortKey<partnership::Column>; 1] = [SortKey::Desc(partnership::Column::Id)];

/// The partnership columns read, in statement order (the id first).
const COLUMNS: [partnership::Column; 6] = [
    partnership::Column::Id,
    partnership::Column::ProviderId,
    partnership::Column::ResellerId,
    partnership::Column::Status,
    partnership::Column::CreatedAt,
    partnership::Column::EndedAt,
];

/// Recognizes `indirectResellers` / `indirectProviders` with the page arguments only (a
/// `filter` is left to the general path) and a selection the plan can answer.
pub fn recognize<'a>(doc: &Doc<'a>, sel: &Sel<'a>, list: List) -> Option<PartnershipsPlan> {
    let mut parties = (false, false);
    let names = ("PartnershipConnection", "PartnershipEdge");
    let connection = connection::recognize(doc, sel, names, |s| {
        partnership_fields(doc, s, &mut parties)
    })?;
    Some(PartnershipsPlan {
        list,
        connection,
        parties,
    })
}

fn partnership_fields<'a>(
    doc: &Doc<'a>,
    sel: &Sel<'a>,
    parties: &mut (bool, bool),
) -> Option<Vec<(Key, Field)>> {
    let mut members = Vec::new();
    for f in doc.fields(&sel.object()?, "Partnership")? {
        let field = match f.name {
            _ if !f.arguments_among(&[]) => return None,
            "__typename" if f.leaf() => Field::Typename,
            "id" if f.leaf() => Field::Id,
            "status" if f.leaf() => Field::Status,
            "createdAt" if f.leaf() => Field::CreatedAt,
            "endedAt" if f.leaf() => Field::EndedAt,
            "provider" => {
                parties.0 = true;
                Field::Provider(partner_fields(doc, &f)?)
            }
            "reseller" => {
                parties.1 = true;
                Field::Reseller(partner_fields(doc, &f)?)
            }
            _ => return None,
        };
        members.push((f.json_key(), field));
    }
    Some(members)
}

/// One partnership of the page, with the parties read.
struct Row {
    id: i32,
    status: PartnershipStatus,
    created_at: DateTime<Utc>,
    ended_at: Option<DateTime<Utc>>,
    provider: Option<partner::Model>,
    reseller: Option<partner::Model>,
}

impl PartnershipsPlan {
    /// Runs the plan and writes the connection's JSON.
    pub async fn write(
        &self,
        out: &mut Out,
        variables: &async_graphql::Variables,
        request: &Request<'_>,
    ) -> Result<(), Fallback> {
        let page = self.read(variables, request).await?;
        self.connection
            .write(out, &page, |out, fields, row| partnership(out, fields, row))
    }

    async fn read(
        &self,
        variables: &async_graphql::Variables,
        request: &Request<'_>,
    ) -> Result<Page<Row>, Fallback> {
        let actor = connection::caller(request)?;
        // The general path's `own_partner`: anyone else gets its FORBIDDEN.
        let side = match (self.list, &actor.partner) {
            (List::Resellers, Some(p)) if p.kind == PartnerKind::IndirectProvider => {
                Side::Provider(p.id)
            }
            (List::Providers, Some(p)) if p.kind == PartnerKind::IndirectReseller => {
                Side::Reseller(p.id)
            }
            _ => return Err(Fallback("not a partner of that kind")),
        };
        self.connection
            .read(
                request,
                variables,
                (service::list(side, None, None), &ORDER, Scan::Plain),
                |planned| self.statement(planned),
                |results| self.decode(results),
                |r| r.id,
            )
            .await
    }

    /// The page's partnerships (`planned.rows`), the count, then each party selected.
    fn statement(&self, planned: &Planned<partnership::Entity>) -> SelectStatement {
        let p = Alias::new("p");
        let mut q = self
            .connection
            .statement(planned, "p", &COLUMNS, partnership::Column::Id);
        let parties = [
            (self.parties.0, "pp", partnership::Column::ProviderId),
            (self.parties.1, "pr", partnership::Column::ResellerId),
        ];
        for (selected, alias, column) in parties {
            if !selected {
                continue;
            }
            let a = Alias::new(alias);
            for col in PARTNER_COLUMNS {
                q.column((a.clone(), col));
            }
            q.join_as(
                JoinType::LeftJoin,
                partner::Entity,
                a.clone(),
                Expr::col((a.clone(), partner::Column::Id)).equals((p.clone(), column)),
            );
        }
        q
    }

    /// Rows by position; the count from the first row.
    fn decode(&self, results: &[QueryResult]) -> Result<(Vec<Row>, Option<i64>), sea_orm::DbErr> {
        let mut rows = Vec::with_capacity(results.len());
        let mut total = None;
        let count = usize::from(self.connection.count);
        for r in results {
            if self.connection.count && total.is_none() {
                total = Some(r.try_get_by_index::<i64>(COLUMNS.len())?);
            }
            let mut at = COLUMNS.len() + count;
            let mut party = |selected: bool| -> Result<Option<partner::Model>, sea_orm::DbErr> {
                if !selected {
                    return Ok(None);
                }
                let read = party_at(r, at);
                at += PARTNER_COLUMNS.len();
                read
            };
            let provider = party(self.parties.0)?;
            let reseller = party(self.parties.1)?;
            rows.push(Row {
                id: r.try_get_by_index(0)?,
                status: r.try_get_by_index(3)?,
                created_at: r.try_get_by_index(4)?,
                ended_at: r.try_get_by_index(5)?,
                provider,
                reseller,
            });
        }
        Ok((rows, total))
    }
}

fn partnership(out: &mut Out, fields: &[(Key, Field)], row: &Row) -> Result<(), Fallback> {
    object(out, fields, |out, f| {
        match f {
            Field::Typename => out.string("Partnership"),
            Field::Id => out.string(&ids::encode(NodeType::Partnership, row.id).0),
            Field::Status => out.value(&enum_value(row.status)),
            Field::CreatedAt => out.value(&row.created_at.to_value()),
            Field::EndedAt => match row.ended_at {
                Some(at) => out.value(&at.to_value()),
                None => out.raw("null"),
            },
            Field::Provider(fields) => party(out, fields, row.provider.as_ref())?,
            Field::Reseller(fields) => party(out, fields, row.reseller.as_ref())?,
        }
        Ok(())
    })
}
