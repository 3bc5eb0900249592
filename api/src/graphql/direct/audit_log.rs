//! `auditLog` as a prepared plan: the connection and each entry's own fields, the summary
//! in the request's language (`actorApiClient`, an object of its own, and a `filter` are
//! left to the general path).
//!
//! One statement answers the page: the keyset page of the entries the viewer sees (the
//! general path's list, `events::audience::Viewer::entries`, each visibility column paged
//! by its own index) with `totalCount` as a scalar subquery. The general path sends two
//! (page, count).

use super::connection::{self, ConnectionPlan, Page};
use super::json::{Key, Out, object};
use super::select::{Doc, Sel};
use super::{Fallback, Request};
use crate::events::audience::Viewer;
use crate::graphql::connection::Key as SortKey;
use crate::graphql::ids::{self, NodeType};
use async_graphql::ScalarType;
use entity::audit_entry::{self, Column as A};
use sea_orm::QueryResult;
use worker::i18n;

#[derive(Debug)]
pub struct AuditLogPlan {
    connection: ConnectionPlan<Vec<(Key, Field)>>,
}

#[derive(Debug)]
enum Field {
    Typename,
    OccurredAt,
    Action,
    TargetType,
    TargetId,
    Summary,
    ActorUserId,
    ActorPartnerId,
    RequestId,
}

const ORDER: [SortKey<A>; 1] = [SortKey::Desc(A::Id)];

/// The entry columns read, in statement order (the id first); the model's.
const COLUMNS: [A; 12] = [
    A::Id,
    A::OccurredAt,
    A::RequestId,
    A::ActorUserId,
    A::ActorPartnerId,
    A::Action,
    A::TargetType,
    A::TargetId,
    A::Summary,
    A::SummaryMessage,
    A::SubjectPartnerId,
    A::ActorApiClientId,
];

/// Recognizes `auditLog` with the page arguments only and a selection the plan answers.
pub fn recognize<'a>(doc: &Doc<'a>, sel: &Sel<'a>) -> Option<AuditLogPlan> {
    let names = ("AuditEntryConnection", "AuditEntryEdge");
    let connection = connection::recognize(doc, sel, names, |s| entry_fields(doc, s))?;
    Some(AuditLogPlan { connection })
}

fn entry_fields<'a>(doc: &Doc<'a>, sel: &Sel<'a>) -> Option<Vec<(Key, Field)>> {
    let mut members = Vec::new();
    for f in doc.fields(&sel.object()?, "AuditEntry")? {
        if !f.leaf() {
            return None;
        }
        let field = match f.name {
            "__typename" => Field::Typename,
            "occurredAt" => Field::OccurredAt,
            "action" => Field::Action,
            "targetType" => Field::TargetType,
            "targetId" => Field::TargetId,
            "summary" => Field::Summary,
            "actorUserId" => Field::ActorUserId,
            "actorPartnerId" => Field::ActorPartnerId,
            "requestId" => Field::RequestId,
            _ => return None,
        };
        members.push((f.json_key(), field));
    }
    Some(members)
}

impl AuditLogPlan {
    /// Runs the plan and writes the connection's JSON.
    pub async fn write(
        &self,
        out: &mut Out,
        variables: &async_graphql::Variables,
        request: &Request<'_>,
    ) -> Result<(), Fallback> {
        let page = self.read(variables, request).await?;
        let lang = request.lang;
        self.connection
            .write(out, &page, |out, fields, row| entry(out, fields, row, lang))
    }

    async fn read(
        &self,
        variables: &async_graphql::Variables,
        request: &Request<'_>,
    ) -> Result<Page<audit_entry::Model>, Fallback> {
        let viewer =
            Viewer::of(connection::caller(request)?).map_err(|_| Fallback("not a partner"))?;
        // The general path's list (`audit::graphql`), without a filter.
        let (select, scan) = viewer.entries();
        self.connection
            .read(
                request,
                variables,
                (select, &ORDER, scan),
                |planned| self.connection.statement(planned, "a", &COLUMNS, A::Id),
                |results| self.decode(results),
                |r| r.id,
            )
            .await
    }

    /// Rows by position; the count from the first row.
    fn decode(
        &self,
        results: &[QueryResult],
    ) -> Result<(Vec<audit_entry::Model>, Option<i64>), sea_orm::DbErr> {
        let mut rows = Vec::with_capacity(results.len());
        let mut total = None;
        for r in results {
            if self.connection.count && total.is_none() {
                total = Some(r.try_get_by_index::<i64>(COLUMNS.len())?);
            }
            rows.push(audit_entry::Model {
                id: r.try_get_by_index(0)?,
                occurred_at: r.try_get_by_index(1)?,
                request_id: r.try_get_by_index(2)?,
                actor_user_id: r.try_get_by_index(3)?,
                actor_partner_id: r.try_get_by_index(4)?,
                action: r.try_get_by_index(5)?,
                target_type: r.try_get_by_index(6)?,
                target_id: r.try_get_by_index(7)?,
                summary: r.try_get_by_index(8)?,
                summary_message: r.try_get_by_index(9)?,
                subject_partner_id: r.try_get_by_index(10)?,
                actor_api_client_id: r.try_get_by_index(11)?,
            });
        }
        Ok((rows, total))
    }
}

fn entry(
    out: &mut Out,
    fields: &[(Key, Field)],
    e: &audit_entry::Model,
    lang: i18n::Lang,
) -> Result<(), Fallback> {
    let id = |node, id: Option<i32>| id.map(|id| ids::encode(node, id).0);
    object(out, fields, |out, f| {
        match f {
            Field::Typename => out.string("AuditEntry"),
            Field::OccurredAt => out.value(&e.occurred_at.to_value()),
            Field::Action => out.string(&e.action),
            Field::TargetType => out.string(&e.target_type),
            Field::TargetId => out.string(&e.target_id),
            Field::Summary => out.string(&crate::language::read_stored_in(
                lang,
                &e.summary,
                e.summary_message.as_deref(),
            )),
            Field::ActorUserId => out.opt_string(id(NodeType::User, e.actor_user_id).as_deref()),
            Field::ActorPartnerId => {
                out.opt_string(id(NodeType::Partner, e.actor_partner_id).as_deref())
            }
            Field::RequestId => out.string(&e.request_id),
        }
        Ok(())
    })
}
