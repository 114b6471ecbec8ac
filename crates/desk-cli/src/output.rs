//! How `desk` prints: sentences and aligned lines for people, JSON for
//! scripts (`--json`), errors as `{ "error": {code, message, field} }`.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use clinic_client::engine::{SyncReport, SyncStatus};
use clinic_client::{
    AgendaEntry, Conflict, DayAgenda, Desk, PatientHit, PatientRecord, Profile, Queued, SignedIn,
    SyncInfo, SyncState, TokenLocation, WeekAgenda,
};
use clinic_core::api::doctors::DoctorView;
use clinic_core::api::rooms::RoomView;
use serde::Serialize;
use serde_json::json;
use std::path::Path;
use uuid::Uuid;

/// `println!` for standard output that ends the program quietly once the
/// reader has gone (`desk --json agenda --week | head`), as Unix tools do,
/// where `println!` would panic with a backtrace.
macro_rules! say {
    ($($arg:tt)*) => {
        write_line(format_args!($($arg)*))
    };
}

fn write_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_fmt(line)
        .and_then(|()| stdout.write_all(b"\n"))
    {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

pub struct Out {
    json: bool,
}

fn local(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone).format("%H:%M").to_string()
}

fn when(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone)
        .format("%a %Y-%m-%d %H:%M")
        .to_string()
}

impl Out {
    pub fn new(json: bool) -> Out {
        Out { json }
    }

    fn print_json(&self, value: &impl Serialize) {
        match serde_json::to_string_pretty(value) {
            Ok(s) => say!("{s}"),
            Err(e) => eprintln!("error: cannot print JSON: {e}"),
        }
    }

    pub fn error(&self, e: &anyhow::Error) {
        let view = e
            .chain()
            .find_map(|c| c.downcast_ref::<clinic_client::Error>())
            .map(|ce| ce.view());
        if self.json {
            let (code, field) = view
                .as_ref()
                .map(|v| (v.code.clone(), v.field.clone()))
                .unwrap_or_else(|| ("cli".into(), None));
            self.print_json(&json!({
                "error": {"code": code, "message": format!("{e:#}"), "field": field}
            }));
        } else {
            match view {
                Some(v) => eprintln!("error: {e:#} [{}]", v.code),
                None => eprintln!("error: {e:#}"),
            }
        }
    }

    pub fn message(&self, text: &str) {
        if self.json {
            self.print_json(&json!({ "message": text }));
        } else {
            say!("{text}");
        }
    }

    pub fn signed_in(&self, s: &SignedIn, sync: Option<clinic_client::Result<SyncReport>>) {
        if let Some(w) = &s.token_warning {
            // Said once, at the moment it happens, on stderr so scripts see it too.
            eprintln!("warning: {w}");
        }
        if self.json {
            let (report, error) = match &sync {
                Some(Ok(r)) => (Some(*r), None),
                Some(Err(e)) => (None, Some(e.view())),
                None => (None, None),
            };
            self.print_json(&json!({
                "profile": s.profile,
                "memberships": s.memberships,
                "token_warning": s.token_warning,
                "sync": report,
                "sync_error": error,
            }));
            return;
        }
        let p = &s.profile;
        say!(
            "Signed in as {} ({}) at {} on {}.",
            p.user_name,
            p.role,
            p.clinic_name,
            p.server
        );
        match p.token_location {
            TokenLocation::Keyring => say!("The session token is in the system keyring."),
            TokenLocation::File => {
                if s.token_warning.is_none() {
                    say!("The session token is in a file readable only by you.")
                }
            }
        }
        if s.memberships.len() > 1 {
            say!(
                "You work at {} clinics; `desk login --clinic ID` opens another.",
                s.memberships.len()
            );
        }
        match sync {
            Some(Ok(r)) => say!(
                "First sync done: {} changes in {} pages.",
                r.changes,
                r.pages
            ),
            Some(Err(e)) => say!("The first sync did not finish ({e}); run `desk sync`."),
            None => {}
        }
    }

    pub fn signed_out(&self, revoked: bool, pending: u64) {
        if self.json {
            self.print_json(
                &json!({"signed_out": true, "server_revoked": revoked, "pending": pending}),
            );
            return;
        }
        if revoked {
            say!("Signed out; the server has revoked this desk's session.");
        } else {
            say!(
                "Signed out on this desk. The server could not be reached to revoke the \
                 session; it expires by itself, or revoke it from another device."
            );
        }
        if pending > 0 {
            say!(
                "{pending} action(s) stay queued in this desk's store and are sent after the next sign-in."
            );
        }
    }

    pub fn not_signed_in(&self) {
        if self.json {
            self.print_json(&json!({"signed_in": false}));
        } else {
            say!("No one is signed in on this desk. `desk login --server URL --email E` signs in.");
        }
    }

    pub fn status(&self, p: &Profile, store: &Path, info: &SyncInfo, problems: Option<&[String]>) {
        if self.json {
            self.print_json(&json!({
                "signed_in": true,
                "profile": p,
                "store": store,
                "sync": info,
                "problems": problems,
            }));
            return;
        }
        say!("{} ({}) at {}", p.user_name, p.role, p.clinic_name);
        say!("  server      {}", p.server);
        say!("  device      {} ({})", p.device_name, p.device_id);
        say!(
            "  session     until {}",
            p.expires_at.format("%Y-%m-%d %H:%M UTC")
        );
        say!(
            "  token       {}",
            match p.token_location {
                TokenLocation::Keyring => "system keyring",
                TokenLocation::File => "a file readable only by you (no keyring used)",
            }
        );
        say!("  store       {}", store.display());
        say!(
            "  last sync   {}",
            info.last_sync_at
                .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
                .unwrap_or_else(|| "never".into())
        );
        say!("  cursor      {}", info.cursor);
        say!(
            "  pending     {} action(s) waiting for the server",
            info.pending
        );
        if info.awaiting_pull > 0 {
            say!(
                "  confirmed   {} action(s) applied, waiting for the next pull",
                info.awaiting_pull
            );
        }
        say!(
            "  conflicts   {}{}",
            info.conflicts,
            if info.conflicts > 0 {
                " — see `desk conflicts`"
            } else {
                ""
            }
        );
        if let Some(problems) = problems {
            if problems.is_empty() {
                say!("  check       the store is consistent");
            } else {
                for p in problems {
                    say!("  PROBLEM     {p}");
                }
            }
        }
    }

    pub fn watch_status(&self, s: &SyncStatus) {
        if self.json {
            // One JSON object per line, for tools that follow the stream.
            match serde_json::to_string(s) {
                Ok(line) => say!("{line}"),
                Err(e) => eprintln!("error: {e}"),
            }
            return;
        }
        let state = match s.state {
            SyncState::Starting => "starting",
            SyncState::Syncing => "syncing",
            SyncState::Online => "online",
            SyncState::Offline => "offline",
            SyncState::SignedOut => "signed out: run `desk login`",
            SyncState::Failing => "failing",
        };
        let mut line = format!(
            "{} {state}{} · {} pending · {} conflicts",
            Utc::now().format("%H:%M:%S"),
            if s.live { " (live)" } else { "" },
            s.pending,
            s.conflicts
        );
        if let Some(e) = &s.last_error {
            line.push_str(&format!(" · {} [{}]", e.message, e.code));
        }
        say!("{line}");
    }

    pub fn synced(&self, r: &SyncReport, info: &SyncInfo) {
        if self.json {
            self.print_json(&json!({"report": r, "sync": info}));
            return;
        }
        if r.pushed > 0 {
            say!(
                "Sent {} action(s): {} applied, {} rejected.",
                r.pushed,
                r.applied,
                r.rejected
            );
        }
        say!(
            "Up to date: {} change(s) received in {} page(s); cursor {}.",
            r.changes,
            r.pages,
            info.cursor
        );
        if info.pending > 0 {
            say!("{} action(s) still queued.", info.pending);
        }
        if info.conflicts > 0 {
            say!("{} conflict(s) need you: `desk conflicts`.", info.conflicts);
        }
    }

    fn entry_line(&self, a: &AgendaEntry, zone: Tz) -> String {
        let unknown = "?".to_owned();
        let mut line = format!(
            "  {}–{}  {:<11} {} · {}",
            local(a.starts_at, zone),
            local(a.ends_at, zone),
            a.status.words(),
            a.doctor_name.as_ref().unwrap_or(&unknown),
            a.patient_name.as_ref().unwrap_or(&unknown),
        );
        if let Some(room) = &a.room_name {
            line.push_str(&format!(" · {room}"));
        }
        if a.pending {
            line.push_str("  [pending sync]");
        }
        line.push_str(&format!("\n               {}", a.id));
        if let Some(r) = &a.reason {
            line.push_str(&format!("  reason: {r}"));
        }
        if let Some(r) = &a.cancel_reason {
            line.push_str(&format!("  cancelled: {r}"));
        }
        line
    }

    fn print_day(&self, day: &DayAgenda, zone: Tz) {
        say!(
            "{} ({}) · {} appointment(s)",
            day.date.format("%A %Y-%m-%d"),
            day.time_zone,
            day.appointments.len()
        );
        for a in &day.appointments {
            say!("{}", self.entry_line(a, zone));
        }
    }

    pub fn day(&self, day: &DayAgenda, zone: Tz) {
        if self.json {
            self.print_json(day);
        } else {
            self.print_day(day, zone);
        }
    }

    pub fn week(&self, week: &WeekAgenda, zone: Tz) {
        if self.json {
            self.print_json(week);
            return;
        }
        for (i, day) in week.days.iter().enumerate() {
            if i > 0 {
                say!("");
            }
            self.print_day(day, zone);
        }
    }

    pub fn appointment_queued(
        &self,
        verb: &str,
        desk: &Desk,
        queued: &Queued,
        zone: Tz,
    ) -> anyhow::Result<()> {
        let entry = desk.appointment(queued.row_id)?;
        if self.json {
            self.print_json(&json!({"queued": queued, "appointment": entry}));
            return Ok(());
        }
        match entry {
            Some(a) => say!(
                "{verb} {} with {} on {}–{} (pending sync).\n{}",
                a.patient_name.as_deref().unwrap_or("?"),
                a.doctor_name.as_deref().unwrap_or("?"),
                when(a.starts_at, zone),
                local(a.ends_at, zone),
                a.id
            ),
            None => say!("{verb} (pending sync): {}", queued.row_id),
        }
        Ok(())
    }

    pub fn queued(&self, verb: &str, queued: &Queued) {
        if self.json {
            self.print_json(&json!({"queued": queued}));
        } else {
            say!("{verb} (pending sync): {}", queued.row_id);
        }
    }

    pub fn doctors(&self, doctors: &[DoctorView]) {
        if self.json {
            self.print_json(&doctors);
            return;
        }
        for d in doctors {
            say!(
                "{}  {}{}{}",
                d.id,
                d.full_name,
                if d.specialties.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", d.specialties.join(", "))
                },
                if d.active { "" } else { " [archived]" }
            );
        }
    }

    pub fn rooms(&self, rooms: &[RoomView]) {
        if self.json {
            self.print_json(&rooms);
            return;
        }
        for r in rooms {
            say!(
                "{}  {}{}",
                r.id,
                r.name,
                if r.active { "" } else { " [archived]" }
            );
        }
    }

    pub fn patient_hits(&self, hits: &[PatientHit]) {
        if self.json {
            self.print_json(&hits);
            return;
        }
        if hits.is_empty() {
            say!("No patient matches.");
        }
        for h in hits {
            let mut line = format!("{}  {}", h.id, h.full_name);
            for extra in [
                h.date_of_birth.map(|d| d.format("%Y-%m-%d").to_string()),
                h.phone.clone(),
                h.email.clone(),
            ]
            .into_iter()
            .flatten()
            {
                line.push_str(&format!(" · {extra}"));
            }
            if h.archived {
                line.push_str(" [archived]");
            }
            if h.pending {
                line.push_str(" [pending sync]");
            }
            say!("{line}");
        }
    }

    pub fn patient(&self, r: &PatientRecord, zone: Tz) {
        if self.json {
            self.print_json(r);
            return;
        }
        let p = &r.patient;
        say!(
            "{}{}{}",
            p.full_name,
            if p.archived_at.is_some() {
                " [archived]"
            } else {
                ""
            },
            if r.pending { " [pending sync]" } else { "" }
        );
        say!("  id          {}", p.id);
        let field = |label: &str, value: Option<String>| {
            if let Some(v) = value {
                say!("  {label:<11} {v}");
            }
        };
        field(
            "born",
            p.date_of_birth.map(|d| d.format("%Y-%m-%d").to_string()),
        );
        field("phone", p.phone.clone());
        field("email", p.email.clone());
        field("national id", p.national_id.clone());
        field("address", p.address.clone());
        say!("  appointments ({})", r.appointments.len());
        for a in &r.appointments {
            say!(
                "    {}–{}  {:<11} {}{}",
                when(a.starts_at, zone),
                local(a.ends_at, zone),
                a.status.words(),
                a.doctor_name.as_deref().unwrap_or("?"),
                if a.pending { "  [pending sync]" } else { "" }
            );
        }
        if !r.notes.is_empty() {
            say!("  clinical notes ({})", r.notes.len());
            for n in &r.notes {
                say!("    {} — {}", when(n.created_at, zone), n.author_name);
                for line in n.body.lines() {
                    say!("      {line}");
                }
            }
        }
    }

    pub fn conflicts(&self, conflicts: &[Conflict], zone: Option<Tz>) {
        if self.json {
            self.print_json(&conflicts);
            return;
        }
        if conflicts.is_empty() {
            say!("No conflicts.");
            return;
        }
        let zone = zone.unwrap_or(chrono_tz::UTC);
        for c in conflicts {
            say!("{}  {}", c.id, c.summary);
            say!("    rejected: {} [{}]", c.message, c.code);
            say!(
                "    queued {}, rejected {}",
                when(c.queued_at, zone),
                when(c.rejected_at, zone)
            );
        }
        say!(
            "Resolve with `desk conflicts resolve ID discard|retry` or, for a booking or a move, \
             `desk conflicts resolve ID rebook --start ... --minutes N`."
        );
    }

    pub fn resolved(&self, id: Uuid, queued: Option<&Queued>) {
        if self.json {
            self.print_json(&json!({"resolved": id, "queued": queued}));
            return;
        }
        match queued {
            Some(q) => say!("Queued again (pending sync): {}", q.row_id),
            None => say!("Discarded."),
        }
    }
}
