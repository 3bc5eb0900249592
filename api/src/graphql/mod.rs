//! The GraphQL schema: one query and one mutation root merged from the feature modules,
//! with the limits every request goes through (errors are coded by `error_codes::finish`).

pub mod connection;
pub mod described;
pub mod direct;
pub mod documents;
pub mod error_codes;
pub mod guard;
pub mod ids;
pub mod loaders;
pub mod node;
pub mod order;
pub mod payload;
pub mod policy;
pub mod search;
pub mod user_error;

use crate::accounts::{AccountMutation, AccountQuery, MemberMutation};
use crate::api_clients::{ApiClientMutation, ApiClientQuery};
use crate::audit::graphql::AuditQuery;
use crate::catalog::CatalogQuery;
use crate::customers::{
    CustomerAdminMutation, CustomerMutation, CustomerQuery, RelationshipMutation,
};
use crate::directory::{DirectoryMutation, DirectoryQuery};
use crate::events::{EventSubscription, Hub};
use crate::jobs::{Dispatcher, PublicUrl};
use crate::mfa::{MfaMutation, PasskeyMutation};
use crate::partners::{EnrollmentMutation, PartnerQuery};
use crate::partnerships::{PartnershipMutation, PartnershipQuery};
use crate::settings::Settings;
use crate::webhooks::{WebhookMutation, WebhookQuery};
use async_graphql::{Context, MergedObject, MergedSubscription, Schema};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Every query. Send `Authorization: Bearer <token>` (from `login`); `invitationByToken`
/// and `providerDirectory` are public. Lists are Relay connections: pass `first` or `last`
/// (at most 100) and page with the cursors. Errors are top-level `errors` with
/// `extensions.code`: `UNAUTHENTICATED`, `FORBIDDEN` (`extensions.reason` says why),
/// `NOT_FOUND` (missing and not visible look the same), `BAD_USER_INPUT`,
/// `QUERY_TOO_COMPLEX`, `RATE_LIMITED`, `INTERNAL` (with `extensions.requestId`).
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    node::NodeQuery,
    AccountQuery,
    PartnerQuery,
    CatalogQuery,
    PartnershipQuery,
    CustomerQuery,
    DirectoryQuery,
    AuditQuery,
    WebhookQuery,
    crate::admin_relationships::AdminRelationshipQuery,
    ApiClientQuery,
    crate::budget::BudgetQuery,
    crate::price_lists::PriceListQuery,
);

/// Every mutation is `name(input: NameInput!): NamePayload!`, sent with POST. Business-rule
/// failures come back in the payload's `userErrors` (each mutation lists its codes) with
/// the payload's other fields null. Request errors are top-level `errors` with
/// `extensions.code`: `UNAUTHENTICATED` (no valid bearer token), `FORBIDDEN`
/// (`extensions.reason` says why, e.g. `ADMIN_ONLY`; `PASSWORD_CHANGE_REQUIRED` while a
/// temporary password is in place; `PARTNER_SUSPENDED` when a suspended organization's
/// user tries anything but signing in or out and changing its password or preferences),
/// `NOT_FOUND` (an id that does not exist or that the caller may not see: the two look
/// the same), `BAD_USER_INPUT`, `QUERY_TOO_COMPLEX`, `RATE_LIMITED`
/// (`extensions.retryAfterSeconds`), `INTERNAL` (with `extensions.requestId`).
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    AccountMutation,
    MemberMutation,
    EnrollmentMutation,
    PartnershipMutation,
    CustomerMutation,
    CustomerAdminMutation,
    RelationshipMutation,
    DirectoryMutation,
    WebhookMutation,
    crate::admin_relationships::AdminRelationshipMutation,
    crate::admin_relationships::OffboardingMutation,
    ApiClientMutation,
    MfaMutation,
    PasskeyMutation,
    crate::price_lists::PriceListMutation,
);

/// Live streams, only over WebSocket at `/graphql/ws` (`graphql-transport-ws`; the token
/// goes in the `connection_init` payload as `{"Authorization": "Bearer <token>"}`). At most
/// 20 subscriptions run at once on one connection by default; more answer `RATE_LIMITED`.
#[derive(MergedSubscription, Default)]
pub struct SubscriptionRoot(EventSubscription);

pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// What resolvers reach through the context.
#[derive(Clone)]
pub struct SchemaDeps {
    pub db: DatabaseConnection,
    pub dispatcher: Dispatcher,
    pub public_url: PublicUrl,
    pub hub: Hub,
    pub metrics: Arc<crate::metrics::ApiMetrics>,
    pub budget: Arc<crate::budget::Budget>,
}

/// Builds the schema. Without dependencies it is only good for exporting the SDL.
pub fn build(deps: Option<SchemaDeps>, settings: Arc<Settings>) -> AppSchema {
    build_with(deps, settings, false)
}

/// The same schema for `/graphql/ws`, where every execution (each operation, each event of
/// a subscription) runs with the caller looked up again (`auth::live`). A schema of its own
/// so that HTTP requests do not pay for an extension in every field's resolution.
pub fn build_live(deps: SchemaDeps, settings: Arc<Settings>) -> AppSchema {
    build_with(Some(deps), settings, true)
}

fn build_with(deps: Option<SchemaDeps>, settings: Arc<Settings>, live: bool) -> AppSchema {
    let limits = &settings.graphql;
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .limit_depth(limits.max_depth)
    .limit_complexity(guard::effective_max_complexity(&settings));
    builder = described::generated_types(builder);
    if !limits.introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    if let Some(deps) = deps {
        builder = builder
            .data(deps.db)
            .data(deps.dispatcher)
            .data(deps.public_url)
            .data(deps.hub)
            .data(deps.metrics)
            .data(deps.budget);
    }
    if live {
        builder = builder.extension(crate::auth::live::FreshRights);
    }
    builder.data(settings).finish()
}

/// The SDL of the schema, as committed in `schema.graphql` (with `@specifiedBy` on the
/// custom scalars, so typed clients can map them).
pub fn sdl() -> String {
    build(None, Arc::new(Settings::default()))
        .sdl_with_options(async_graphql::SDLExportOptions::new().include_specified_by())
}

pub fn db<'a>(ctx: &Context<'a>) -> &'a DatabaseConnection {
    ctx.data_unchecked::<DatabaseConnection>()
}

pub fn settings<'a>(ctx: &Context<'a>) -> &'a Settings {
    ctx.data_unchecked::<Arc<Settings>>()
}
