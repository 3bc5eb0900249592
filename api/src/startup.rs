//! `Application::build(settings)`: connect, migrate, bind (port 0 picks a free port), and
//! serve until a shutdown signal, giving in-flight requests a bounded grace period.

use crate::db::{self, DbSetupError};
use crate::graphql;
use crate::http::{self, AppState};
use crate::jobs::{Dispatcher, PublicUrl};
use crate::settings::Settings;
use sea_orm::DatabaseConnection;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] DbSetupError),
    #[error("setting up the job queue")]
    Queue(#[from] worker::queue::QueueError),
    #[error("setting up outgoing mail")]
    Mail(#[from] worker::mail::MailError),
    #[error("connecting the event signal (Redis)")]
    Signal(#[source] redis::RedisError),
    #[error("connecting the cost budget (Redis)")]
    Budget(#[source] redis::RedisError),
    #[error(transparent)]
    Cors(#[from] crate::http::cors::BadOrigin),
    #[error(transparent)]
    TrustedDocuments(#[from] crate::trusted_documents::manifest::ManifestError),
    #[error("binding {addr}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
}

pub struct Application {
    listener: TcpListener,
    address: SocketAddr,
    state: AppState,
    /// Tells the event hub and every WebSocket connection that the server is stopping.
    stopping: tokio::sync::watch::Sender<bool>,
    /// The in-process job worker of embedded mode.
    jobs: Option<worker::runtime::Runtime>,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        crate::http::cors::origins(&settings.cors.allowed_origins)?;
        db::migrate(&settings).await?;
        let mut db = db::connect(&settings).await?;
        let metrics = crate::metrics::ApiMetrics::new(settings.runs_embedded_worker());
        metrics.observe(&mut db);
        let listener =
            TcpListener::bind(&settings.bind)
                .await
                .map_err(|source| StartupError::Bind {
                    addr: settings.bind.clone(),
                    source,
                })?;
        let address = listener.local_addr().map_err(|source| StartupError::Bind {
            addr: settings.bind.clone(),
            source,
        })?;
        let public_url = settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{address}"));
        let queue = worker::boot::queue(
            settings.redis_url.as_ref(),
            &settings.data_dir,
            &settings.jobs,
        )
        .await?;
        let signal = worker::boot::signal(settings.redis_url.as_ref())
            .await
            .map_err(StartupError::Signal)?;
        let (stopping, stopped) = tokio::sync::watch::channel(false);
        let gaps = crate::events::hub::Gaps {
            wait: std::time::Duration::from_millis(settings.events.gap_wait_ms),
            given_up: metrics.event_gaps(),
        };
        let hub = crate::events::Hub::start(db.clone(), &signal, stopped.clone(), gaps)
            .await
            .map_err(|e| StartupError::Database(DbSetupError::Connect(e)))?;
        let jobs = if settings.runs_embedded_worker() {
            Some(
                worker::runtime::Runtime::new(
                    db.clone(),
                    worker::boot::mailer(
                        settings.smtp_url.as_ref(),
                        &settings.data_dir,
                        &settings.jobs,
                    )?,
                    queue.clone(),
                    settings.jobs.clone(),
                    settings.webhooks.clone(),
                    signal.clone(),
                )
                .with_metrics(metrics.worker.clone().unwrap_or_default())
                .with_extension(std::sync::Arc::new(
                    crate::customer_imports::runner::Runner::new(
                        db.clone(),
                        settings.imports.clone(),
                        signal.clone(),
                        settings.clock.clone(),
                    ),
                )),
            )
        } else {
            None
        };
        let budget = Arc::new(
            crate::budget::Budget::connect(&settings)
                .await
                .map_err(StartupError::Budget)?,
        );
        let settings = Arc::new(settings);
        let trusted = crate::trusted_documents::TrustedDocuments::new(
            db.clone(),
            &settings,
            graphql::build_validator(settings.clone()),
        );
        let deps = graphql::SchemaDeps {
            db: db.clone(),
            dispatcher: Dispatcher::new(queue.clone()),
            public_url: PublicUrl(public_url),
            hub: hub.clone(),
            metrics: metrics.clone(),
            budget: budget.clone(),
            trusted: trusted.clone(),
        };
        let schema = graphql::build(Some(deps.clone()), settings.clone());
        let trusted_schema = graphql::build_trusted(deps.clone(), settings.clone());
        let live_schema = graphql::build_live(deps, settings.clone());
        // What introspection lists can hold, for the document guard (once per process).
        graphql::guard::introspection::measure(&schema).await;
        trusted.load_file(&settings, &hub).await?;
        Ok(Self {
            listener,
            address,
            state: AppState::new(crate::http::SharedState {
                schema,
                live_schema,
                db,
                settings,
                queue,
                metrics,
                signal,
                stopped,
                sockets: Default::default(),
                budget,
                trusted,
                trusted_schema,
            }),
            stopping,
            jobs,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    /// The base URL people use (`PUBLIC_URL`, else the bound address).
    pub fn public_url(&self) -> String {
        self.state
            .settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.address))
    }

    /// Serves until SIGTERM or ctrl-c.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `signal` completes, then lets in-flight requests finish for at most
    /// `shutdown_grace_seconds`.
    pub async fn run_until(
        self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let grace = Duration::from_secs(self.state.settings.shutdown_grace_seconds);
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        // The in-process worker stops with the server.
        let (jobs_stop_tx, jobs_stop_rx) = tokio::sync::watch::channel(false);
        let jobs = self.jobs.map(|rt| {
            let mut stop = jobs_stop_rx.clone();
            tokio::spawn(worker::runtime::run(
                rt,
                async move {
                    let _ = stop.wait_for(|s| *s).await;
                    Ok(())
                },
                grace,
            ))
        });
        let stopping = self.stopping;
        let app = http::router(self.state);
        let server = axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            signal.await;
            tracing::info!("shutting down: finishing in-flight requests and jobs");
            // WebSocket connections close with "going away"; the hub stops.
            let _ = stopping.send(true);
            let _ = jobs_stop_tx.send(true);
            let _ = stopping_tx.send(());
        });
        let deadline = async move {
            if stopping_rx.await.is_ok() {
                tokio::time::sleep(grace).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        let served = tokio::select! {
            result = server => result,
            () = deadline => {
                tracing::warn!(?grace, "grace period over; dropping remaining connections");
                Ok(())
            }
        };
        if let Some(jobs) = jobs {
            match jobs.await {
                Ok(Err(e)) => tracing::warn!(error = %e, "job worker stopped with an error"),
                Err(e) => tracing::warn!(error = %e, "job worker task failed"),
                Ok(Ok(())) => {}
            }
        }
        served
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
