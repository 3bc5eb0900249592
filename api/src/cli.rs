//! Command line: `serve` (the default), `migrate`, `seed-demo`, `create-platform-admin`,
//! `export-schema`.

use crate::settings::Settings;
use crate::startup::Application;
use crate::{admin, db, demo, graphql, telemetry};
use anyhow::Context;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "partner-center", about = "Partner Center API server")]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the API server (default). Embedded mode when DATABASE_URL is not set.
    Serve {
        /// Create the demo accounts first (idempotent) and print how to sign in.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create the demo accounts (idempotent) and exit.
    SeedDemo,
    /// Create a platform administrator.
    CreatePlatformAdmin {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Platform Administrator")]
        name: String,
        /// Read from the environment so it stays out of shell history.
        #[arg(long, env = "PLATFORM_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Write the GraphQL SDL (to stdout, or to --output).
    ExportSchema {
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve { demo: false });
    if let Command::ExportSchema { output } = &command {
        let sdl = graphql::sdl();
        match output {
            Some(path) => {
                std::fs::write(path, sdl).with_context(|| format!("writing {}", path.display()))?
            }
            None => print!("{sdl}"),
        }
        return Ok(());
    }

    let settings = Settings::load()?;
    let _telemetry = telemetry::init(settings.log_format);
    match command {
        Command::Serve { demo } => {
            let mailbox = settings.smtp_url.is_none();
            let app = Application::build(settings).await?;
            tracing::info!(address = %app.address(), "listening");
            if demo {
                demo::seed(app.db()).await?;
                demo::print_logins(&app.public_url(), mailbox);
            } else {
                println!("GraphiQL: {}/graphiql", app.public_url());
            }
            crate::memory::release_startup();
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            db::migrate(&settings).await?;
            println!("migrations applied");
        }
        Command::SeedDemo => {
            db::migrate(&settings).await?;
            let conn = db::connect(&settings).await?;
            demo::seed(&conn).await?;
            println!(
                "demo data present; password for every demo login: {}",
                demo::PASSWORD
            );
        }
        Command::CreatePlatformAdmin {
            email,
            name,
            password,
        } => {
            db::migrate(&settings).await?;
            let conn = db::connect(&settings).await?;
            match admin::ensure_platform_admin(&conn, &email, &name, &password).await {
                Ok(true) => println!("platform administrator {email} created"),
                Ok(false) => println!("an account with {email} already exists; nothing changed"),
                Err(e) => anyhow::bail!("could not create the platform administrator: {e:?}"),
            }
        }
        Command::ExportSchema { .. } => unreachable!("handled above"),
    }
    Ok(())
}
