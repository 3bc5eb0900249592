//! Rights on a long-lived connection (`/graphql/ws`): the caller is looked up again, from the
//! connection's token, for every operation started and for every event a subscription
//! delivers, so a role lowered, an organization suspended, a user removed or a password to be
//! changed takes effect on the next event, not when the socket closes hours later. (Scopes
//! and MFA, when they come, live on the session or the user and are looked up the same way.)
//!
//! - [`LiveRights`] sits in the connection's session data: the token and the answer of the
//!   last lookup;
//! - [`FreshRights`], an extension of the WebSocket schema only, puts a fresh [`Auth`] (and
//!   fresh loaders, so no row read for an earlier event is reused) into the data of each
//!   execution: each query or mutation, and each event of a subscription.
//!
//! A stream that filters by the caller (`events`) asks [`LiveRights::now`] before it yields
//! an item; the execution resolving that item right after uses that answer rather than
//! looking the session up twice.

use super::{Actor, Auth};
use crate::accounts::session;
use crate::error::ApiResult;
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};
use async_graphql::{Data, Response};
use sea_orm::DatabaseConnection;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How old a looked-up answer may be when an execution takes it: it is meant for the
/// execution that starts right after the lookup, in the same task.
const FRESH_FOR: Duration = Duration::from_millis(500);

/// Session data of one WebSocket connection.
pub struct LiveRights {
    db: DatabaseConnection,
    token: String,
    /// The last lookup, for the next execution (taken by it).
    looked_up: Mutex<Option<(Instant, Option<Actor>)>>,
}

impl LiveRights {
    pub fn new(db: DatabaseConnection, token: String) -> Arc<Self> {
        Arc::new(Self {
            db,
            token,
            looked_up: Mutex::new(None),
        })
    }

    /// The caller as of now (`None`: the session ended); the next execution uses this answer.
    pub async fn now(&self) -> ApiResult<Option<Actor>> {
        let actor = session::resolve(&self.db, &self.token).await?;
        *self.looked_up.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((Instant::now(), actor.clone()));
        Ok(actor)
    }

    /// The answer looked up for this execution, or a new lookup.
    async fn for_execution(&self) -> ApiResult<Option<Actor>> {
        let taken = self
            .looked_up
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        match taken {
            Some((at, actor)) if at.elapsed() < FRESH_FOR => Ok(actor),
            _ => session::resolve(&self.db, &self.token).await,
        }
    }
}

/// The extension of the WebSocket schema (`graphql::build_live`).
pub struct FreshRights;

impl ExtensionFactory for FreshRights {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(FreshRights)
    }
}

#[async_trait::async_trait]
impl Extension for FreshRights {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let Some(rights) = ctx.data_opt::<Arc<LiveRights>>() else {
            return next.run(ctx, operation_name).await;
        };
        match rights.for_execution().await {
            Ok(actor) => {
                let mut data = Data::default();
                data.insert(Auth(actor));
                data.insert(crate::graphql::loaders::for_request(rights.db.clone()));
                next.run_with_data(ctx, operation_name, data).await
            }
            // Never fall back to the rights of the connection's start: answer INTERNAL.
            Err(e) => Response::from_errors(vec![
                async_graphql::Error::from(e).into_server_error(Default::default()),
            ]),
        }
    }
}
