//! Where a replica finds a trusted document by id: the documents of its manifest file
//! (prepared at start, kept for the process's life), then its cache of prepared documents
//! read from the table, then the table itself (a miss reads it, so a document another
//! replica added is found on its first request).
//!
//! A document removed on another replica must stop working here too. Its removal writes an
//! audit entry; every replica's event hub reads new entries when the event signal rings
//! (Redis pub/sub across replicas, and every second regardless), and the store listens to
//! its hub: `trusted_document.removed` evicts that row, `trusted_document.added` forgets the
//! ids known to be missing. A listener that fell behind the hub empties the cache. A read of
//! the table that raced with an eviction is not kept (`generation`).
//!
//! Bounded: at most [`MAX_CACHED`] prepared documents and [`MAX_MISSING`] unknown ids are
//! remembered; a full map starts over.

use super::prepared::{self, PreparedDocument, Unfit};
use crate::events::Hub;
use crate::graphql::AppSchema;
use crate::graphql::guard::Limits;
use entity::event_type::EventType;
use entity::trusted_document::{self, Column, Entity};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

pub const MAX_CACHED: usize = 1_024;
pub const MAX_MISSING: usize = 4_096;

/// The trusted documents of this replica; cheap to clone.
#[derive(Clone)]
pub struct TrustedDocuments {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    validator: AppSchema,
    limits: Limits,
    /// The manifest file's documents (set once, by `load_file`).
    file: OnceLock<HashMap<String, Arc<PreparedDocument>>>,
    cache: Mutex<Cache>,
}

#[derive(Default)]
struct Cache {
    /// Documents read from the table, with their row id (what removal events name).
    by_id: HashMap<String, (i32, Arc<PreparedDocument>)>,
    /// Ids the table did not hold when last read.
    missing: HashSet<String>,
    /// Raised by every eviction: a read that started before must not be kept.
    generation: u64,
}

impl TrustedDocuments {
    /// An empty store; [`load_file`](Self::load_file) fills and starts it.
    pub fn new(
        db: DatabaseConnection,
        settings: &crate::settings::Settings,
        validator: AppSchema,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                db,
                validator,
                limits: Limits::of(settings),
                file: OnceLock::new(),
                cache: Mutex::new(Cache::default()),
            }),
        }
    }

    /// Prepares the manifest file's documents (any that cannot be trusted is an error),
    /// writes them to the table as source FILE (those of an earlier file that this one no
    /// longer holds are deleted), and starts listening to `hub`. Called once at start,
    /// after the schema's introspection lists were measured (the guard counts with them).
    pub async fn load_file(
        &self,
        settings: &crate::settings::Settings,
        hub: &Hub,
    ) -> Result<(), super::manifest::ManifestError> {
        use super::manifest::ManifestError;
        let mut file = HashMap::new();
        let mut texts = Vec::new();
        if let Some(path) = &settings.graphql.trusted_documents_file {
            for (id, text) in super::manifest::read(path)? {
                let prepared =
                    self.prepare(&id, &text)
                        .await
                        .map_err(|unfit| ManifestError::Unfit {
                            path: path.clone(),
                            key: id.clone(),
                            detail: unfit.message().render(worker::i18n::Lang::En),
                        })?;
                file.insert(id.clone(), Arc::new(prepared));
                texts.push((id, text));
            }
        }
        sync_file_rows(&self.inner.db, texts).await?;
        let _ = self.inner.file.set(file);
        self.listen(hub);
        Ok(())
    }

    /// The document `id` (normalized), if it is trusted.
    pub async fn find(&self, id: &str) -> Result<Option<Arc<PreparedDocument>>, DbErr> {
        if let Some(found) = self.inner.file.get().and_then(|file| file.get(id)) {
            return Ok(Some(found.clone()));
        }
        let generation = {
            let cache = self.lock();
            if let Some((_, found)) = cache.by_id.get(id) {
                return Ok(Some(found.clone()));
            }
            if cache.missing.contains(id) {
                return Ok(None);
            }
            cache.generation
        };
        let row = Entity::find()
            .filter(Column::DocumentId.eq(id))
            .one(&self.inner.db)
            .await?;
        let Some(row) = row else {
            self.remember_missing(id, generation);
            return Ok(None);
        };
        match self.prepare(&row.document_id, &row.document).await {
            Ok(prepared) => {
                let prepared = Arc::new(prepared);
                self.keep(row.id, prepared.clone(), Some(generation));
                Ok(Some(prepared))
            }
            Err(unfit) => {
                // Added while the schema allowed it; a later schema refuses it. Requests
                // find it missing, as they would if it had been removed.
                tracing::warn!(id, reason = %unfit.message().render(worker::i18n::Lang::En),
                    "a stored trusted document no longer validates");
                self.remember_missing(id, generation);
                Ok(None)
            }
        }
    }

    /// Prepares a document for this server (`addTrustedDocuments` checks with this).
    pub async fn prepare(&self, id: &str, text: &str) -> Result<PreparedDocument, Unfit> {
        prepared::prepare(id, text, &self.inner.validator, self.inner.limits).await
    }

    /// Keeps a document this replica just added (its row `row_id`).
    pub fn added(&self, row_id: i32, prepared: Arc<PreparedDocument>) {
        self.lock().missing.remove(&prepared.id);
        self.keep(row_id, prepared, None);
    }

    /// Forgets the row `row_id` (removed here or on another replica).
    pub fn removed(&self, row_id: i32) {
        let mut cache = self.lock();
        cache.generation += 1;
        cache.by_id.retain(|_, (row, _)| *row != row_id);
    }

    /// Whether `id` is one of the manifest file's documents on this replica.
    pub fn is_from_file(&self, id: &str) -> bool {
        self.inner
            .file
            .get()
            .is_some_and(|file| file.contains_key(id))
    }

    fn keep(&self, row_id: i32, prepared: Arc<PreparedDocument>, read_at: Option<u64>) {
        let mut cache = self.lock();
        if read_at.is_some_and(|g| g != cache.generation) {
            return;
        }
        if cache.by_id.len() >= MAX_CACHED {
            cache.by_id.clear();
        }
        cache.by_id.insert(prepared.id.clone(), (row_id, prepared));
    }

    fn remember_missing(&self, id: &str, read_at: u64) {
        let mut cache = self.lock();
        if cache.generation != read_at {
            return;
        }
        if cache.missing.len() >= MAX_MISSING {
            cache.missing.clear();
        }
        cache.missing.insert(id.to_owned());
    }

    /// Everything read from the table is forgotten (the listener fell behind).
    fn forget_all(&self) {
        let mut cache = self.lock();
        cache.generation += 1;
        cache.by_id.clear();
        cache.missing.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.inner.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Follows the hub's events for as long as it runs.
    fn listen(&self, hub: &Hub) {
        let mut events = hub.subscribe();
        let store = Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            use tokio::sync::broadcast::error::RecvError;
            loop {
                let event = events.recv().await;
                let Some(inner) = store.upgrade() else {
                    return;
                };
                let store = TrustedDocuments { inner };
                match event {
                    Ok(event) => store.on_event(&event),
                    Err(RecvError::Lagged(_)) => store.forget_all(),
                    Err(RecvError::Closed) => return,
                }
            }
        });
    }

    fn on_event(&self, event: &entity::audit_entry::Model) {
        match EventType::from_dotted(&event.action) {
            Some(EventType::TrustedDocumentAdded) => {
                let mut cache = self.lock();
                cache.generation += 1;
                cache.missing.clear();
            }
            Some(EventType::TrustedDocumentRemoved) => {
                if let Some(row_id) = row_of(&event.target_id) {
                    self.removed(row_id);
                }
            }
            _ => {}
        }
    }
}

/// The row id in an audit entry's target (`TrustedDocument:<n>`, encoded).
fn row_of(target_id: &str) -> Option<i32> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(target_id)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix(&format!("{}:", super::service::TARGET_TYPE))?
        .parse()
        .ok()
}

/// The table's FILE rows become the file's documents (an API row with the same id stays
/// as it is).
async fn sync_file_rows(
    db: &DatabaseConnection,
    texts: Vec<(String, String)>,
) -> Result<(), DbErr> {
    let ids: Vec<String> = texts.iter().map(|(id, _)| id.clone()).collect();
    Entity::delete_many()
        .filter(Column::Source.eq(super::service::SOURCE_FILE))
        .filter(Column::DocumentId.is_not_in(ids))
        .exec(db)
        .await?;
    let now = chrono::Utc::now();
    for chunk in texts.chunks(100) {
        let rows = chunk
            .iter()
            .map(|(id, text)| trusted_document::ActiveModel {
                document_id: Set(id.clone()),
                document: Set(text.clone()),
                source: Set(super::service::SOURCE_FILE.to_owned()),
                added_by_user_id: Set(None),
                added_at: Set(now),
                ..Default::default()
            });
        let inserted = Entity::insert_many(rows)
            .on_conflict(
                OnConflict::column(Column::DocumentId)
                    .do_nothing()
                    .to_owned(),
            )
            .exec(db)
            .await;
        match inserted {
            Ok(_) | Err(DbErr::RecordNotInserted) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
