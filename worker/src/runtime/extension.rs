//! Work that another crate adds to every worker process: the API crate's customer imports
//! (`api::customer_imports::runner`), which run the API's own customer service. An
//! extension is a loop of passes beside the Monitor: a pass that did something is followed
//! at once by the next, an idle or failed one by a pause of `idle`. Passes must be safe in
//! any number of processes at once (imports hold a lease row).

use futures::future::BoxFuture;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

pub trait Extension: Send + Sync + 'static {
    /// For logs.
    fn name(&self) -> &'static str;
    /// The pause after an idle pass.
    fn idle(&self) -> Duration;
    /// Ends the pause early (new work announced in this process); never by default.
    fn woken(&self) -> BoxFuture<'_, ()> {
        Box::pin(futures::future::pending())
    }
    /// One pass over due work; true when it did some (then another pass follows at once).
    fn pass(&self) -> BoxFuture<'_, anyhow::Result<bool>>;
}

/// Runs `extension` until `stop` turns true; a pass in flight then finishes.
pub async fn run(extension: Arc<dyn Extension>, mut stop: watch::Receiver<bool>) {
    let idle = extension.idle();
    loop {
        if *stop.borrow() {
            return;
        }
        let worked = match extension.pass().await {
            Ok(worked) => worked,
            Err(error) => {
                tracing::warn!(extension = extension.name(), %error, "pass failed; retrying");
                false
            }
        };
        if !worked {
            tokio::select! {
                _ = tokio::time::sleep(idle) => {}
                _ = extension.woken() => {}
                _ = stop.changed() => {}
            }
        }
    }
}
