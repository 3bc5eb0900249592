//! The GraphQL schema: one query and one mutation root merged from the feature modules,
//! with the limits every request goes through (errors are coded by `error_codes::finish`).

pub mod connection;
pub mod described;
pub mod error_codes;
pub mod guard;
pub mod ids;
pub mod loaders;
pub mod node;
pub mod payload;
pub mod search;
pub mod user_error;

use crate::accounts::{AccountMutation, AccountQuery};
use crate::audit::graphql::AuditQuery;
use crate::catalog::CatalogQuery;
use crate::customers::{
    CustomerAdminMutation, CustomerMutation, CustomerQuery, RelationshipMutation,
};
use crate::directory::{DirectoryMutation, DirectoryQuery};
use crate::events::{EventSubscription, Hub};
use crate::jobs::{Dispatcher, PublicUrl};
use crate::partners::{EnrollmentMutation, PartnerQuery};
use crate::partnerships::{PartnershipMutation, PartnershipQuery};
use crate::settings::Settings;
use crate::webhooks::{WebhookMutation, WebhookQuery};
use async_graphql::{Context, MergedObject, MergedSubscription, Schema};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

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
);

#[derive(MergedObject, Default)]
pub struct MutationRoot(
    AccountMutation,
    EnrollmentMutation,
    PartnershipMutation,
    CustomerMutation,
    CustomerAdminMutation,
    RelationshipMutation,
    DirectoryMutation,
    WebhookMutation,
);

#[derive(MergedSubscription, Default)]
pub struct SubscriptionRoot(EventSubscription);

pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// What resolvers reach through the context.
pub struct SchemaDeps {
    pub db: DatabaseConnection,
    pub dispatcher: Dispatcher,
    pub public_url: PublicUrl,
    pub hub: Hub,
}

/// Builds the schema. Without dependencies it is only good for exporting the SDL.
pub fn build(deps: Option<SchemaDeps>, settings: Arc<Settings>) -> AppSchema {
    let limits = &settings.graphql;
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity);
    if !limits.introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    if let Some(deps) = deps {
        builder = builder
            .data(deps.db)
            .data(deps.dispatcher)
            .data(deps.public_url)
            .data(deps.hub);
    }
    builder.data(settings).finish()
}

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    build(None, Arc::new(Settings::default())).sdl()
}

pub fn db<'a>(ctx: &Context<'a>) -> &'a DatabaseConnection {
    ctx.data_unchecked::<DatabaseConnection>()
}

pub fn settings<'a>(ctx: &Context<'a>) -> &'a Settings {
    ctx.data_unchecked::<Arc<Settings>>()
}
