use anyhow::Context;
use clap::{Parser, Subcommand};
use sync_server::config::Settings;
use sync_server::startup::Application;
use sync_server::{demo, migrate, telemetry};

/// Clinic Desk's sync server. Configuration: see the README (DATABASE_URL, CLINIC_*).
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations, then serve the API (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Create the demo clinic with its staff, doctors, rooms, patients and agenda (idempotent).
    SeedDemo,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load()?;
    telemetry::init(&settings.log);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Migrate => migrate::run(settings.database.owner_options()?).await,
        Command::SeedDemo => {
            migrate::run(settings.database.owner_options()?).await?;
            demo::seed(&settings).await
        }
        Command::Serve => {
            migrate::run(settings.database.owner_options()?).await?;
            let app = Application::build(settings)
                .await
                .context("starting the server")?;
            app.run_until(shutdown_signal()).await
        }
    }
}

/// Ctrl-C or SIGTERM: stop taking connections, finish what is in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
