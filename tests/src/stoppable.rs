//! An app a test shuts down itself, the way SIGTERM stops the binary: to see what clients
//! connected at that moment experience (WebSocket subscribers are told "going away").

use crate::{Backend, TestApp, start};
use api::Settings;

/// A server's shutdown trigger (what SIGTERM is to the binary) and its serving task.
pub struct Stopper {
    trigger: Option<tokio::sync::oneshot::Sender<()>>,
    pub served: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Stopper {
    /// Starts the graceful shutdown; `served` finishes once the server has stopped.
    pub fn stop(&mut self) {
        if let Some(trigger) = self.trigger.take() {
            let _ = trigger.send(());
        }
    }
}

/// Like `spawn_app_with`, for a test that shuts the server down itself.
pub async fn spawn_app_stoppable(
    backend: Backend,
    configure: impl FnOnce(&mut Settings),
) -> (TestApp, Stopper) {
    let (trigger, stopped) = tokio::sync::oneshot::channel::<()>();
    let (app, served) = start(backend, configure, async move {
        let _ = stopped.await;
    })
    .await;
    let stopper = Stopper {
        trigger: Some(trigger),
        served,
    };
    (app, stopper)
}
