//! Logs and traces for both binaries, through `tracing`.
//!
//! - Logs: human-readable by default, JSON when asked (`LOG_FORMAT=json`), filtered by
//!   `RUST_LOG`.
//! - Traces: OpenTelemetry over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (the
//!   standard variable, as are `OTEL_SERVICE_NAME` and `OTEL_BSP_*`); off otherwise. Every
//!   `tracing` span the filter lets through becomes an OpenTelemetry span.
//! - Across the queue: the API puts the W3C `traceparent` of the request that queued an
//!   email in the job ([`traceparent`]); the worker continues that trace ([`continued`]),
//!   so one invitation is one trace from the mutation to the SMTP server.

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::collections::HashMap;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::{EnvFilter, Layer, fmt, prelude::*};

/// Flushes the spans not yet exported when dropped (keep it until the process exits).
pub struct Telemetry(Option<SdkTracerProvider>);

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Some(provider) = self.0.take()
            && let Err(e) = provider.shutdown()
        {
            eprintln!("traces not flushed: {e}");
        }
    }
}

/// Installs the global subscriber once; later calls (tests spawning many apps) are no-ops.
/// `service` names the process in traces unless `OTEL_SERVICE_NAME` says otherwise.
pub fn init(json: bool, service: &'static str) -> Telemetry {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,apalis=warn"));
    let logs = if json {
        fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .boxed()
    } else {
        fmt::layer().boxed()
    };
    let provider = tracer_provider(service);
    let traces = provider.as_ref().map(|p| {
        tracing_opentelemetry::layer()
            .with_tracer(p.tracer(service))
            .boxed()
    });
    let installed = tracing_subscriber::registry()
        .with(filter)
        .with(logs)
        .with(traces)
        .try_init()
        .is_ok();
    Telemetry(provider.filter(|_| installed))
}

/// The OTLP exporter when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
fn tracer_provider(service: &'static str) -> Option<SdkTracerProvider> {
    std::env::var_os("OTEL_EXPORTER_OTLP_ENDPOINT")?;
    use opentelemetry_otlp::{Protocol, WithExportConfig};
    let exporter = match opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpJson)
        .build()
    {
        Ok(exporter) => exporter,
        Err(e) => {
            eprintln!("traces off: the OTLP exporter could not be built: {e}");
            return None;
        }
    };
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let name = std::env::var("OTEL_SERVICE_NAME").unwrap_or_else(|_| service.to_owned());
    let resource = opentelemetry_sdk::Resource::builder()
        .with_service_name(name)
        .build();
    Some(
        SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(resource)
            .build(),
    )
}

/// The W3C `traceparent` of the current span, when traces are on.
pub fn traceparent() -> Option<String> {
    let context = tracing::Span::current().context();
    let mut carrier = HashMap::new();
    TraceContextPropagator::new().inject_context(&context, &mut carrier);
    carrier.remove("traceparent")
}

/// `span`, continuing the trace of `traceparent` (a new trace without one).
pub fn continued(span: tracing::Span, traceparent: Option<&str>) -> tracing::Span {
    if let Some(traceparent) = traceparent {
        let carrier = HashMap::from([("traceparent".to_owned(), traceparent.to_owned())]);
        let parent = TraceContextPropagator::new().extract(&carrier);
        // Fails only when traces are off (no OpenTelemetry layer): nothing to continue.
        let _ = span.set_parent(parent);
    }
    span
}
