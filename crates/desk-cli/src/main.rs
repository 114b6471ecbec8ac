//! `desk`: Clinic Desk without a window. The same store, sync engine and
//! session as the app, for scripts, tests, benchmarks and the odd terminal.
//!
//! Every command works on the signed-in clinic's local store; only `login`,
//! `logout` and `sync` talk to the server. Actions are queued offline and
//! pushed by the next `desk sync` (or a running `desk sync --watch`).

mod output;

use anyhow::{Context, anyhow, bail};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use clinic_client::engine::EngineConfig;
use clinic_client::{Desk, IdKind, Login, Resolution, Sessions, SyncEngine, SyncState, time};
use clinic_core::api::appointments::{BookAppointment, CancelAppointment, RescheduleAppointment};
use clinic_core::api::patients::NewPatient;
use clinic_core::schedule::TimeRange;
use output::Out;
use secrecy::SecretString;
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use uuid::Uuid;

#[derive(Parser)]
#[command(
    name = "desk",
    version,
    about = "Clinic Desk from the command line: agenda, bookings and sync, offline first."
)]
struct Cli {
    /// Where stores, the session and (without a keyring) the token live.
    #[arg(long, global = true, env = "CLINIC_DESK_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Print JSON for scripts instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sign in to a server and open one of your clinics.
    Login(LoginArgs),
    /// Sign out: revoke this desk's session and forget its token.
    Logout,
    /// Who is signed in, and how the sync stands.
    Status {
        /// Also check the local store's consistency.
        #[arg(long)]
        check: bool,
    },
    /// Push queued actions and pull the server's changes.
    Sync {
        /// Keep syncing in the background (live pokes, every 30 s, and on
        /// local actions) until interrupted, printing each change of state.
        #[arg(long)]
        watch: bool,
    },
    /// A day's appointments (today by default), on the clinic's clock.
    Agenda {
        /// YYYY-MM-DD.
        #[arg(long)]
        date: Option<NaiveDate>,
        /// Only this doctor's (id or its first characters).
        #[arg(long)]
        doctor: Option<String>,
        /// The whole Monday-to-Sunday week holding the date.
        #[arg(long)]
        week: bool,
    },
    /// Book an appointment.
    Book {
        #[arg(long)]
        doctor: String,
        #[arg(long)]
        patient: String,
        /// "YYYY-MM-DD HH:MM" on the clinic's clock, or RFC 3339.
        #[arg(long)]
        start: String,
        #[arg(long)]
        minutes: i64,
        #[arg(long)]
        room: Option<String>,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Move a booked appointment to another time (and doctor or room).
    Move {
        id: String,
        #[arg(long)]
        start: String,
        #[arg(long)]
        minutes: i64,
        #[arg(long)]
        doctor: Option<String>,
        /// Another room; `none` frees the room.
        #[arg(long)]
        room: Option<String>,
    },
    /// Cancel an appointment.
    Cancel {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Check a patient in.
    CheckIn { id: String },
    /// Mark an appointment as a no-show.
    NoShow { id: String },
    /// Mark an appointment as completed.
    Complete { id: String },
    /// Find, show and register patients.
    #[command(subcommand)]
    Patients(PatientsCommand),
    /// The clinic's doctors, with their ids.
    Doctors,
    /// The clinic's rooms, with their ids.
    Rooms,
    /// Actions the server rejected; resolve them one by one.
    Conflicts {
        #[command(subcommand)]
        command: Option<ConflictsCommand>,
    },
}

#[derive(Args)]
struct LoginArgs {
    /// The server, e.g. https://clinic-desk.example or http://127.0.0.1:8080.
    #[arg(long)]
    server: String,
    #[arg(long)]
    email: String,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
    /// The clinic to open when you work at several (its id).
    #[arg(long)]
    clinic: Option<Uuid>,
    /// How this desk is named in your list of sessions.
    #[arg(long)]
    device_name: Option<String>,
    /// Do not sync right after signing in.
    #[arg(long)]
    no_sync: bool,
    /// Sign in as a new device rather than the one this desk was before
    /// (when the server says this desk's action numbers are already taken).
    #[arg(long)]
    new_device: bool,
}

#[derive(Subcommand)]
enum PatientsCommand {
    /// Patients whose name, phone, email or national id starts with the words given.
    Search {
        text: Vec<String>,
        /// Include archived patients.
        #[arg(long)]
        archived: bool,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// A patient's details and appointments.
    Show { id: String },
    /// Register a patient.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// YYYY-MM-DD.
        #[arg(long)]
        birth_date: Option<String>,
        #[arg(long)]
        national_id: Option<String>,
    },
}

#[derive(Subcommand)]
enum ConflictsCommand {
    /// Settle one conflict: discard it, retry it as it was, or (for a
    /// booking or a move) rebook it at another time.
    Resolve {
        id: String,
        #[command(subcommand)]
        how: How,
    },
}

#[derive(Subcommand)]
enum How {
    Discard,
    Retry,
    /// Book or move again at another time.
    Rebook {
        #[arg(long)]
        start: String,
        #[arg(long)]
        minutes: i64,
        #[arg(long)]
        doctor: Option<String>,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DESK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let out = Out::new(cli.json);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            out.error(&anyhow!(e).context("starting the runtime"));
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, &out)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            out.error(&e);
            std::process::ExitCode::FAILURE
        }
    }
}

fn data_dir(cli: &Cli) -> anyhow::Result<PathBuf> {
    match &cli.data_dir {
        Some(d) => Ok(d.clone()),
        None => clinic_client::paths::default_data_dir()
            .context("cannot tell where to keep data; pass --data-dir"),
    }
}

/// The signed-in member's desk.
fn open_desk(sessions: &Sessions) -> anyhow::Result<(clinic_client::Profile, Desk)> {
    let profile = sessions.require()?;
    let desk = sessions.open_desk(&profile)?;
    Ok((profile, desk))
}

fn zone(desk: &Desk) -> anyhow::Result<chrono_tz::Tz> {
    let clinic = desk.clinic()?.ok_or_else(|| {
        anyhow!(clinic_client::Error::NotSynced(
            "the clinic has not been synced to this desk yet; run `desk sync`".into()
        ))
    })?;
    clinic
        .time_zone
        .parse()
        .map_err(|_| anyhow!("the clinic's time zone {:?} is unknown", clinic.time_zone))
}

/// A start and a length as typed, in the clinic's zone.
fn span(
    desk: &Desk,
    start: &str,
    minutes: i64,
) -> anyhow::Result<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)> {
    let starts_at =
        time::parse_wall_clock("start", start, zone(desk)?).map_err(clinic_client::Error::from)?;
    let time =
        TimeRange::appointment_lasting(starts_at, minutes).map_err(clinic_client::Error::from)?;
    Ok((time.starts_at, time.ends_at))
}

fn device_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty());
    match host {
        Some(h) => format!("desk CLI on {h}"),
        None => "desk CLI".to_owned(),
    }
}

fn read_password(from_stdin: bool) -> anyhow::Result<SecretString> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        if password.is_empty() {
            bail!("standard input held no password");
        }
        return Ok(SecretString::from(password));
    }
    if !std::io::stdin().is_terminal() {
        bail!("no terminal to ask for the password; pipe it in with --password-stdin");
    }
    let password = rpassword::prompt_password("Password: ").context("reading the password")?;
    Ok(SecretString::from(password))
}

async fn run(cli: Cli, out: &Out) -> anyhow::Result<()> {
    let sessions = Sessions::new(&data_dir(&cli)?);
    match cli.command {
        Command::Login(args) => {
            let password = read_password(args.password_stdin)?;
            let signed_in = sessions
                .login(Login {
                    server: args.server,
                    email: args.email,
                    password,
                    device_name: args.device_name.unwrap_or_else(device_name),
                    clinic_id: args.clinic,
                    new_device: args.new_device,
                })
                .await?;
            let sync = if args.no_sync {
                None
            } else {
                let desk = sessions.open_desk(&signed_in.profile)?;
                let engine = SyncEngine::new(
                    desk,
                    sessions.api(&signed_in.profile)?,
                    EngineConfig::default(),
                );
                Some(engine.sync_once().await)
            };
            out.signed_in(&signed_in, sync);
        }
        Command::Logout => {
            let pending = match sessions.current()? {
                Some(profile) => sessions.open_desk(&profile)?.sync_info()?.pending,
                None => {
                    out.message("No one is signed in on this desk.");
                    return Ok(());
                }
            };
            let revoked = sessions.logout().await?;
            out.signed_out(revoked, pending);
        }
        Command::Status { check } => {
            let Some(profile) = sessions.current()? else {
                out.not_signed_in();
                return Ok(());
            };
            let desk = sessions.open_desk(&profile)?;
            let problems = if check { Some(desk.check()?) } else { None };
            let store = clinic_client::paths::store_path(
                sessions.data_dir(),
                &profile.server,
                profile.clinic_id,
                profile.user_id,
            );
            out.status(&profile, &store, &desk.sync_info()?, problems.as_deref());
            if problems.is_some_and(|p| !p.is_empty()) {
                bail!("the local store has problems (listed above)");
            }
        }
        Command::Sync { watch } => {
            let (profile, desk) = open_desk(&sessions)?;
            let api = sessions.api(&profile)?;
            if watch {
                let engine = SyncEngine::new(
                    desk,
                    api,
                    EngineConfig {
                        watch_store: Some(std::time::Duration::from_secs(1)),
                        ..EngineConfig::default()
                    },
                );
                let handle = engine.spawn();
                let mut status = handle.status();
                out.message("Syncing in the background; Ctrl-C stops.");
                loop {
                    tokio::select! {
                        changed = status.changed() => {
                            if changed.is_err() { break; }
                            let s = status.borrow_and_update().clone();
                            if s.state != SyncState::Syncing {
                                out.watch_status(&s);
                            }
                        }
                        _ = tokio::signal::ctrl_c() => break,
                    }
                }
                handle.shutdown().await;
            } else {
                let engine = SyncEngine::new(desk.clone(), api, EngineConfig::default());
                match engine.sync_once().await {
                    Ok(report) => out.synced(&report, &desk.sync_info()?),
                    Err(e) => {
                        let info = desk.sync_info()?;
                        return Err(anyhow!(e).context(format!(
                            "sync did not finish; {} action(s) stay queued on this desk",
                            info.pending
                        )));
                    }
                }
            }
        }
        Command::Agenda { date, doctor, week } => {
            let (_, desk) = open_desk(&sessions)?;
            let date = match date {
                Some(d) => d,
                None => desk.today()?,
            };
            let doctor = doctor
                .map(|d| desk.resolve_id(IdKind::Doctor, &d))
                .transpose()?;
            let zone = zone(&desk)?;
            if week {
                out.week(&desk.week_agenda(date, doctor)?, zone);
            } else {
                out.day(&desk.day_agenda(date, doctor)?, zone);
            }
        }
        Command::Book {
            doctor,
            patient,
            start,
            minutes,
            room,
            reason,
        } => {
            let (_, desk) = open_desk(&sessions)?;
            let (starts_at, ends_at) = span(&desk, &start, minutes)?;
            let queued = desk.book(BookAppointment {
                doctor_id: desk.resolve_id(IdKind::Doctor, &doctor)?,
                patient_id: desk.resolve_id(IdKind::Patient, &patient)?,
                room_id: room
                    .map(|r| desk.resolve_id(IdKind::Room, &r))
                    .transpose()?,
                starts_at,
                ends_at,
                reason,
            })?;
            out.appointment_queued("Booked", &desk, &queued, zone(&desk)?)?;
        }
        Command::Move {
            id,
            start,
            minutes,
            doctor,
            room,
        } => {
            let (_, desk) = open_desk(&sessions)?;
            let id = desk.resolve_id(IdKind::Appointment, &id)?;
            let (starts_at, ends_at) = span(&desk, &start, minutes)?;
            let room_id = match room.as_deref() {
                None => None,
                Some("none") => Some(None),
                Some(r) => Some(Some(desk.resolve_id(IdKind::Room, r)?)),
            };
            let queued = desk.reschedule(
                id,
                RescheduleAppointment {
                    starts_at,
                    ends_at,
                    doctor_id: doctor
                        .map(|d| desk.resolve_id(IdKind::Doctor, &d))
                        .transpose()?,
                    room_id,
                },
            )?;
            out.appointment_queued("Moved", &desk, &queued, zone(&desk)?)?;
        }
        Command::Cancel { id, reason } => {
            let (_, desk) = open_desk(&sessions)?;
            let id = desk.resolve_id(IdKind::Appointment, &id)?;
            let queued = desk.cancel(id, CancelAppointment { reason })?;
            out.appointment_queued("Cancelled", &desk, &queued, zone(&desk)?)?;
        }
        Command::CheckIn { id } => progress(&sessions, out, &id, "Checked in", Desk::check_in)?,
        Command::NoShow { id } => {
            progress(&sessions, out, &id, "Marked as no-show", Desk::no_show)?
        }
        Command::Complete { id } => progress(&sessions, out, &id, "Completed", Desk::complete)?,
        Command::Patients(cmd) => patients(cmd, &sessions, out)?,
        Command::Doctors => {
            let (_, desk) = open_desk(&sessions)?;
            out.doctors(&desk.doctors(true)?);
        }
        Command::Rooms => {
            let (_, desk) = open_desk(&sessions)?;
            out.rooms(&desk.rooms(true)?);
        }
        Command::Conflicts { command } => {
            let (_, desk) = open_desk(&sessions)?;
            match command {
                None => out.conflicts(&desk.conflicts()?, zone(&desk).ok()),
                Some(ConflictsCommand::Resolve { id, how }) => {
                    let id = desk.resolve_id(IdKind::Conflict, &id)?;
                    let resolution = match how {
                        How::Discard => Resolution::Discard,
                        How::Retry => Resolution::Retry,
                        How::Rebook {
                            start,
                            minutes,
                            doctor,
                        } => {
                            let (starts_at, ends_at) = span(&desk, &start, minutes)?;
                            Resolution::PickAnotherSlot {
                                starts_at,
                                ends_at,
                                doctor_id: doctor
                                    .map(|d| desk.resolve_id(IdKind::Doctor, &d))
                                    .transpose()?,
                                room_id: None,
                            }
                        }
                    };
                    let queued = desk.resolve_conflict(id, resolution)?;
                    out.resolved(id, queued.as_ref());
                }
            }
        }
    }
    Ok(())
}

/// Check-in, no-show, complete: one appointment moves one step.
fn progress(
    sessions: &Sessions,
    out: &Out,
    id: &str,
    done: &str,
    action: fn(&Desk, Uuid) -> clinic_client::Result<clinic_client::Queued>,
) -> anyhow::Result<()> {
    let (_, desk) = open_desk(sessions)?;
    let id = desk.resolve_id(IdKind::Appointment, id)?;
    let queued = action(&desk, id)?;
    out.appointment_queued(done, &desk, &queued, zone(&desk)?)
}

fn patients(cmd: PatientsCommand, sessions: &Sessions, out: &Out) -> anyhow::Result<()> {
    let (_, desk) = open_desk(sessions)?;
    match cmd {
        PatientsCommand::Search {
            text,
            archived,
            limit,
        } => {
            let text = text.join(" ");
            out.patient_hits(&desk.search_patients(&text, archived, limit)?);
        }
        PatientsCommand::Show { id } => {
            let id = desk.resolve_id(IdKind::Patient, &id)?;
            let record = desk
                .patient(id)?
                .ok_or_else(|| anyhow!("no such patient on this desk"))?;
            out.patient(&record, zone(&desk)?);
        }
        PatientsCommand::Add {
            name,
            phone,
            email,
            birth_date,
            national_id,
        } => {
            let queued = desk.register_patient(NewPatient {
                full_name: name,
                date_of_birth: birth_date,
                phone,
                email,
                national_id,
                ..NewPatient::default()
            })?;
            out.queued("Registered patient", &queued);
        }
    }
    Ok(())
}
