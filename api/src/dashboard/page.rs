//! The dashboard page: the queue as apalis sees it, and the outboxes behind it.

use super::access::no_store;
use crate::http::AppState;
use crate::pages::{self, PageQuery, Reader, value};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use entity::enums::{DeliveryStatus, WebhookDeliveryStatus};
use entity::{outbound_email, webhook_delivery, webhook_endpoint};
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use std::collections::HashMap;

/// Rows listed per outbox.
const SHOWN: u64 = 20;

#[derive(Serialize)]
struct Count {
    status: String,
    count: i64,
}

#[derive(Serialize)]
struct Stuck {
    id: i32,
    to: String,
    what: String,
    status: String,
    attempts: i32,
    last_error: Option<String>,
    created_at: String,
}

#[derive(FromQueryResult)]
struct StatusCount {
    status: String,
    count: i64,
}

pub async fn show(State(state): State<AppState>, query: PageQuery, headers: HeaderMap) -> Response {
    let reader = Reader::of("/admin/jobs", query, &headers);
    let queue = state.queue.view().await;
    let outboxes = outboxes(&state.db).await;
    let (emails, email_counts, deliveries, delivery_counts) = match outboxes {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %e, "dashboard: reading the outboxes");
            Default::default()
        }
    };
    let context = minijinja::context! {
        queue => value(queue),
        emails => value(emails),
        email_counts => value(email_counts),
        deliveries => value(deliveries),
        delivery_counts => value(delivery_counts),
    };
    no_store(pages::render_for(&reader, "dashboard.html", context))
}

type Outboxes = (Vec<Stuck>, Vec<Count>, Vec<Stuck>, Vec<Count>);

/// Both outboxes: counts by status, and the newest rows that failed or are retrying.
async fn outboxes(db: &DatabaseConnection) -> Result<Outboxes, DbErr> {
    let email_counts = counts(
        outbound_email::Entity::find()
            .select_only()
            .column(outbound_email::Column::Status)
            .column_as(outbound_email::Column::Id.count(), "count")
            .group_by(outbound_email::Column::Status)
            .into_model::<StatusCount>()
            .all(db)
            .await?,
    );
    let emails = outbound_email::Entity::find()
        .filter(
            Condition::any()
                .add(outbound_email::Column::Status.eq(DeliveryStatus::Failed))
                .add(
                    Condition::all()
                        .add(outbound_email::Column::Status.eq(DeliveryStatus::Queued))
                        .add(outbound_email::Column::Attempts.gt(0)),
                ),
        )
        .order_by_desc(outbound_email::Column::Id)
        .limit(SHOWN)
        .all(db)
        .await?
        .into_iter()
        .map(|e| Stuck {
            id: e.id,
            to: e.to_address,
            what: e.kind,
            status: e.status.to_value(),
            attempts: e.attempts,
            last_error: e.last_error,
            created_at: e.created_at.to_rfc3339(),
        })
        .collect();
    let delivery_counts = counts(
        webhook_delivery::Entity::find()
            .select_only()
            .column(webhook_delivery::Column::Status)
            .column_as(webhook_delivery::Column::Id.count(), "count")
            .group_by(webhook_delivery::Column::Status)
            .into_model::<StatusCount>()
            .all(db)
            .await?,
    );
    let failing = webhook_delivery::Entity::find()
        .filter(
            Condition::any()
                .add(webhook_delivery::Column::Status.eq(WebhookDeliveryStatus::Failed))
                .add(
                    Condition::all()
                        .add(webhook_delivery::Column::Status.eq(WebhookDeliveryStatus::Pending))
                        .add(webhook_delivery::Column::Attempts.gt(0)),
                ),
        )
        .order_by_desc(webhook_delivery::Column::Id)
        .limit(SHOWN)
        .all(db)
        .await?;
    let urls: HashMap<i32, String> = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::Id.is_in(failing.iter().map(|d| d.endpoint_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e.url))
        .collect();
    let deliveries = failing
        .into_iter()
        .map(|d| Stuck {
            id: d.id,
            to: urls.get(&d.endpoint_id).cloned().unwrap_or_default(),
            what: d.response_status.map(|s| s.to_string()).unwrap_or_default(),
            status: d.status.to_value(),
            attempts: d.attempts,
            last_error: d.last_error,
            created_at: d.created_at.to_rfc3339(),
        })
        .collect();
    Ok((emails, email_counts, deliveries, delivery_counts))
}

fn counts(rows: Vec<StatusCount>) -> Vec<Count> {
    rows.into_iter()
        .map(|r| Count {
            status: r.status,
            count: r.count,
        })
        .collect()
}
