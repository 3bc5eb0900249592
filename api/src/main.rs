//! `partner-center`: the API server and its admin commands (see `cli`).

// The schema's merged roots nest deeper than rustc's default query depth (128) allows
// when the executor's futures are laid out.
#![recursion_limit = "256"]

use clap::Parser;

/// GraphQL execution allocates many small, short-lived objects per field; mimalloc serves
/// them several times faster than glibc malloc across the runtime's threads.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    api::cli::run(api::cli::Cli::parse()).await
}
