//! One `events` subscriber's stream: the stored events after `after` (read from the database
//! page by page), then the hub's live ones, each kept if its type was asked for and the
//! caller may see it.
//!
//! On `/graphql/ws` the caller is looked up again before each event is yielded
//! (`auth::live`): an event is yielded only if the caller, as of now, may see it, and the
//! execution that resolves its fields right after uses that same fresh caller. A caller who
//! may no longer read events at all (session ended, password to be changed) gets that error
//! once and the stream ends.

use super::audience::Viewer;
use super::graphql::Event;
use super::hub::{self, Hub};
use crate::auth::{self, live::LiveRights};
use crate::error::ApiError;
use crate::graphql::connection::{Key, any_of};
use entity::audit_entry::{self, Column};
use futures::Stream;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::VecDeque;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

/// Stored events read per page of a replay.
const REPLAY_PAGE: u64 = 100;

type Item = async_graphql::Result<Event>;

/// Where one subscriber stands: events up to `last` are handled; `replay_to` is set while
/// stored events up to it are still to be read from the database.
pub struct Tail {
    db: DatabaseConnection,
    /// Who the caller was when last looked up.
    viewer: Viewer,
    /// Looks the caller up again (WebSocket connections); `None` keeps `viewer`.
    rights: Option<Arc<LiveRights>>,
    /// Dotted types to keep; all when `None`, none when empty.
    types: Option<Vec<&'static str>>,
    receiver: tokio::sync::broadcast::Receiver<hub::Event>,
    hub: Hub,
    last: i32,
    replay_to: Option<i32>,
    buffer: VecDeque<hub::Event>,
    /// Set after an error was yielded: the stream ends.
    ended: bool,
}

impl Tail {
    /// Starts at `after` (replaying what was stored since), or where the hub stands now.
    pub fn new(
        db: DatabaseConnection,
        viewer: Viewer,
        rights: Option<Arc<LiveRights>>,
        types: Option<Vec<&'static str>>,
        hub: Hub,
        after: Option<i32>,
    ) -> Self {
        let receiver = hub.subscribe();
        let emitted = hub.emitted();
        Self {
            db,
            viewer,
            rights,
            types,
            receiver,
            hub,
            last: after.unwrap_or(emitted),
            replay_to: after.map(|_| emitted),
            buffer: VecDeque::new(),
            ended: false,
        }
    }

    pub fn stream(self) -> impl Stream<Item = Item> + use<> {
        futures::stream::unfold(self, Tail::next)
    }

    async fn next(mut self) -> Option<(Item, Self)> {
        if self.ended {
            return None;
        }
        while let Some(event) = self.candidate().await {
            match self.still_sees(&event).await {
                Ok(true) => return Some((Ok(Event(event)), self)),
                Ok(false) => {}
                Err(e) => {
                    self.ended = true;
                    return Some((Err(e.into()), self));
                }
            }
        }
        None
    }

    /// The next event of the asked types that the caller, as last looked up, sees.
    async fn candidate(&mut self) -> Option<hub::Event> {
        loop {
            if let Some(event) = self.buffer.pop_front() {
                self.last = event.id;
                return Some(event);
            }
            if let Some(upto) = self.replay_to {
                match self.page(upto).await {
                    Ok(page) if !page.is_empty() => self.buffer.extend(page),
                    Ok(_) => {
                        self.last = self.last.max(upto);
                        self.replay_to = None;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "replaying events");
                        return None;
                    }
                }
                continue;
            }
            match self.receiver.recv().await {
                Ok(event) if event.id <= self.last => {}
                Ok(event) => {
                    self.last = event.id;
                    if self.wants(&event) {
                        return Some(event);
                    }
                }
                // Too slow for the live stream: catch up from the database, then go on.
                Err(RecvError::Lagged(_)) => self.replay_to = Some(self.hub.emitted()),
                Err(RecvError::Closed) => return None,
            }
        }
    }

    /// Whether the caller, looked up now, may still see `event`. Rights only narrow while a
    /// subscription runs (an organization's user never sees another's events), so what
    /// `wants` let through is checked again rather than the other way round.
    async fn still_sees(&mut self, event: &audit_entry::Model) -> Result<bool, ApiError> {
        let Some(rights) = &self.rights else {
            return Ok(true);
        };
        let actor = rights.now().await?.ok_or(ApiError::Unauthenticated)?;
        // The organization's second-factor rule, as now: a stream started before an ADMIN
        // required a second factor ends at its next event (no query unless the rule is on).
        crate::mfa::gate::check(&self.db, &actor, &["events".to_owned()]).await?;
        self.viewer = Viewer::of(auth::usable(&actor)?)?;
        Ok(self.viewer.sees(event))
    }

    fn wants(&self, event: &audit_entry::Model) -> bool {
        self.viewer.sees(event)
            && self
                .types
                .as_ref()
                .is_none_or(|types| types.contains(&event.action.as_str()))
    }

    /// The next stored events after `last`, up to `upto`, that this subscriber wants.
    async fn page(&self, upto: i32) -> Result<Vec<hub::Event>, sea_orm::DbErr> {
        if self.types.as_ref().is_some_and(|t| t.is_empty()) {
            return Ok(Vec::new());
        }
        let mut select = audit_entry::Entity::find()
            .filter(Column::Id.gt(self.last))
            .filter(Column::Id.lte(upto));
        if let Some(types) = &self.types {
            select = select.filter(Column::Action.is_in(types.iter().copied()));
        }
        let order = [Key::Asc(Column::Id)];
        let select = match self.viewer.alternatives() {
            Some(alternatives) => any_of(select, &alternatives, &order, true, REPLAY_PAGE),
            None => select.order_by_asc(Column::Id).limit(REPLAY_PAGE),
        };
        Ok(select
            .all(&self.db)
            .await?
            .into_iter()
            .map(Arc::new)
            .collect())
    }
}
