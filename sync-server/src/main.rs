use anyhow::Context;
use clap::{Parser, Subcommand};
use sync_server::config::Settings;
use sync_server::startup::Application;
use sync_server::{demo, generate, migrate, telemetry};

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
    /// Generate a large clinic for benchmarks (bulk load; needs a superuser DATABASE_URL).
    GenerateClinic {
        #[arg(long, default_value = "Bench Clinic")]
        name: String,
        #[arg(long, default_value_t = 100_000)]
        patients: i64,
        #[arg(long, default_value_t = 1_000_000)]
        appointments: i64,
    },
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
        Command::GenerateClinic {
            name,
            patients,
            appointments,
        } => {
            migrate::run(settings.database.owner_options()?).await?;
            let started = std::time::Instant::now();
            let made = generate::generate(&settings, &name, patients, appointments).await?;
            println!(
                "Generated clinic {} with {} patients and {} appointments in {:.1} s; admin {} / {}",
                made.clinic_id,
                made.patients,
                made.appointments,
                started.elapsed().as_secs_f64(),
                made.admin_email,
                sync_server::demo::DEMO_PASSWORD
            );
            Ok(())
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
