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
    crate::trusted_documents::TrustedDocumentQuery,
    crate::customer_imports::CustomerImportQuery,
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
    crate::terms::TermsMutation,
    crate::trusted_documents::TrustedDocumentMutation,
    crate::customer_imports::CustomerImportMutation,
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
    /// The trusted documents (`trusted_documents`), for their mutations.
    pub trusted: crate::trusted_documents::TrustedDocuments,
}

/// Builds the schema. Without dependencies it is only good for exporting the SDL.
pub fn build(deps: Option<SchemaDeps>, settings: Arc<Settings>) -> AppSchema {
    build_with(deps, settings, Flavor::Http)
}

/// The same schema for `/graphql/ws`, where every execution (each operation, each event of
/// a subscription) runs with the caller looked up again (`auth::live`). A schema of its own
/// so that HTTP requests do not pay for an extension in every field's resolution.
pub fn build_live(deps: SchemaDeps, settings: Arc<Settings>) -> AppSchema {
    build_with(Some(deps), settings, Flavor::Live)
}

/// The same schema for trusted documents validated when they were prepared
/// (`trusted_documents::prepared`): `ValidationMode::Fast` keeps only the depth, complexity
/// and cache-control figures and the fragment-cycle check of validation.
pub fn build_trusted(deps: SchemaDeps, settings: Arc<Settings>) -> AppSchema {
    build_with(Some(deps), settings, Flavor::Trusted)
}

/// A schema that validates a document fully and runs nothing (it answers `null`): how a
/// trusted document is validated once, without a request.
pub fn build_validator(settings: Arc<Settings>) -> AppSchema {
    build_with(None, settings, Flavor::Validator)
}

/// The validator with `ValidationMode::Fast`: what validating a trusted document costs per
/// request (`trusted_documents::timing`).
#[cfg(test)]
pub(crate) fn build_fast_validator(settings: Arc<Settings>) -> AppSchema {
    build_with(None, settings, Flavor::FastValidator)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    Http,
    Live,
    Trusted,
    Validator,
    #[cfg(test)]
    FastValidator,
}

fn build_with(deps: Option<SchemaDeps>, settings: Arc<Settings>, flavor: Flavor) -> AppSchema {
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
            .data(deps.budget)
            .data(deps.trusted);
    }
    match flavor {
        Flavor::Http => {}
        Flavor::Live => builder = builder.extension(crate::auth::live::FreshRights),
        Flavor::Trusted => {
            builder = builder.validation_mode(async_graphql::ValidationMode::Fast);
        }
        Flavor::Validator => builder = builder.extension(ValidateOnly),
        #[cfg(test)]
        Flavor::FastValidator => {
            builder = builder
                .extension(ValidateOnly)
                .validation_mode(async_graphql::ValidationMode::Fast);
        }
    }
    builder.data(settings).finish()
}

/// Ends every request after validation, with a `null` answer (`build_validator`).
struct ValidateOnly;

impl async_graphql::extensions::ExtensionFactory for ValidateOnly {
    fn create(&self) -> Arc<dyn async_graphql::extensions::Extension> {
        Arc::new(ValidateOnly)
    }
}

#[async_trait::async_trait]
impl async_graphql::extensions::Extension for ValidateOnly {
    async fn execute(
        &self,
        _ctx: &async_graphql::extensions::ExtensionContext<'_>,
        _operation_name: Option<&str>,
        _next: async_graphql::extensions::NextExecute<'_>,
    ) -> async_graphql::Response {
        async_graphql::Response::new(async_graphql::Value::Null)
    }
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
