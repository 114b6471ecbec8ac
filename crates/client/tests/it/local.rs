//! The store, optimistic mutations, rebase and conflicts, fed with pull
//! pages and push answers by hand (no server).

use chrono::{Duration, NaiveDate};
use clinic_client::test_support::fixture::{World, appointment, booking, madrid, now, page_of};
use clinic_client::{Desk, OutboxState, PullKind, Resolution};
use clinic_core::api::appointments::{CancelAppointment, RescheduleAppointment};
use clinic_core::api::patients::{NewPatient, UpdatePatient};
use clinic_core::schedule::AppointmentStatus;
use clinic_core::sync::{
    Change, MutationResult, Outcome, PullPage, PushResponse, SyncRow, SyncTable,
};
use clinic_core::{ErrorCode, Role};
use uuid::Uuid;

fn applied_all(desk: &Desk) -> PushResponse {
    let sent = desk.pending_batch(500).expect("batch");
    PushResponse {
        results: sent
            .iter()
            .map(|m| MutationResult {
                seq: m.seq,
                id: m.id,
                outcome: Outcome::Applied,
            })
            .collect(),
    }
}

fn rejected(desk: &Desk, code: ErrorCode, message: &str) -> PushResponse {
    let sent = desk.pending_batch(500).expect("batch");
    PushResponse {
        results: sent
            .iter()
            .map(|m| MutationResult {
                seq: m.seq,
                id: m.id,
                outcome: Outcome::Rejected {
                    code,
                    message: message.into(),
                },
            })
            .collect(),
    }
}

fn monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 23).expect("date")
}

#[test]
fn an_optimistic_booking_shows_at_once_as_pending() {
    let w = World::new();
    let desk = w.desk(Role::Reception);
    let start = madrid(2026, 3, 23, 10, 0);
    let mut revision = desk.subscribe();
    revision.mark_unchanged();
    let queued = desk
        .book(booking(w.garcia.id, w.lucia.id, start, 30))
        .expect("booked");
    assert_eq!(queued.seq, 1);
    assert!(
        revision.has_changed().expect("open"),
        "screens are told to re-read"
    );

    let day = desk.day_agenda(monday(), None).expect("agenda");
    assert_eq!(day.appointments.len(), 1);
    let a = &day.appointments[0];
    assert_eq!(a.id, queued.row_id);
    assert!(a.pending);
    assert_eq!(a.status, AppointmentStatus::Booked);
    assert_eq!(a.doctor_name.as_deref(), Some("Dra. Elena García"));
    assert_eq!(a.patient_name.as_deref(), Some("Lucía Pérez Núñez"));
    assert_eq!(a.starts_at, start);
    assert!(
        desk.is_pending(SyncTable::Appointments, a.id)
            .expect("pending")
    );
    assert_eq!(desk.pending_count().expect("count"), 1);

    let outbox = desk.outbox().expect("outbox");
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].mutation.name(), "book_appointment");
    assert_eq!(outbox[0].state, OutboxState::Pending);
    assert_eq!(outbox[0].created_at, now());
    // The doctor filter, and another day.
    assert_eq!(
        desk.day_agenda(monday(), Some(w.chen.id))
            .expect("agenda")
            .appointments
            .len(),
        0
    );
    assert!(
        desk.day_agenda(monday().succ_opt().expect("d"), None)
            .expect("agenda")
            .appointments
            .is_empty()
    );
}

#[test]
fn local_checks_refuse_at_once_and_queue_nothing() {
    let w = World::new();
    let desk = w.desk(Role::Reception);
    let start = madrid(2026, 3, 23, 10, 0);
    desk.book(booking(w.garcia.id, w.lucia.id, start, 30))
        .expect("first booking");

    let code =
        |r: clinic_client::Result<clinic_client::Queued>| r.expect_err("refused").code().to_owned();
    // Same doctor, overlapping.
    let err = desk
        .book(booking(
            w.garcia.id,
            w.mateo.id,
            start + Duration::minutes(15),
            30,
        ))
        .expect_err("overlap");
    assert_eq!(err.code(), "slot_taken");
    assert!(err.to_string().contains("10:00–10:30"), "{err}");
    assert!(err.to_string().contains("Lucía"), "{err}");
    // Same room, another doctor.
    let mut with_room = booking(w.chen.id, w.mateo.id, start, 30);
    with_room.room_id = Some(w.room1.id);
    desk.book(with_room.clone()).expect("room booking");
    let mut same_room = booking(w.garcia.id, w.mateo.id, start + Duration::hours(2), 30);
    same_room.starts_at = start + Duration::minutes(10);
    same_room.ends_at = start + Duration::minutes(20);
    same_room.doctor_id = w.garcia.id;
    assert_eq!(code(desk.book(same_room)), "slot_taken");
    // Outside hours (19:45–20:15), in the past, archived patient, unknown doctor.
    assert_eq!(
        code(desk.book(booking(
            w.chen.id,
            w.mateo.id,
            madrid(2026, 3, 23, 19, 45),
            30
        ))),
        "outside_working_hours"
    );
    assert_eq!(
        code(desk.book(booking(
            w.chen.id,
            w.mateo.id,
            madrid(2026, 3, 19, 10, 0),
            30
        ))),
        "invalid"
    );
    let err = desk
        .book(booking(
            w.chen.id,
            w.archived.id,
            start + Duration::hours(3),
            30,
        ))
        .expect_err("archived");
    assert_eq!(err.view().field.as_deref(), Some("patient_id"));
    assert_eq!(
        code(desk.book(booking(Uuid::now_v7(), w.mateo.id, start, 30))),
        "invalid"
    );
    // A doctor's desk does not book.
    let doctor_desk = w.desk(Role::Doctor);
    assert_eq!(
        code(doctor_desk.book(booking(w.chen.id, w.mateo.id, start, 30))),
        "not_permitted"
    );

    // Only the two good bookings were queued, with consecutive seqs.
    let outbox = desk.outbox().expect("outbox");
    assert_eq!(outbox.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(desk.sync_info().expect("info").next_seq, 3);
    assert!(desk.check().expect("check").is_empty());
}

/// The desk refuses, before queueing, every instant outside the years the
/// product stores (core's `time` rules, the server's too): a desk cannot
/// queue what the server would only reject.
#[test]
fn instants_outside_the_products_years_are_refused_before_queueing() {
    use clinic_client::{Clock, Store};
    use clinic_core::api::doctors::NewTimeOff;
    let utc = |raw: &str| {
        raw.parse::<chrono::DateTime<chrono::Utc>>()
            .expect("instant")
    };
    let w = World::new();
    let admin = w.desk(Role::Admin);
    for (starts_at, ends_at, field) in [
        (
            "-262143-01-01T00:00:00Z",
            "-262143-01-02T00:00:00Z",
            "starts_at",
        ),
        ("0001-01-01T00:00:00Z", "0001-01-02T00:00:00Z", "starts_at"),
        ("1999-12-31T00:00:00Z", "2000-01-02T00:00:00Z", "starts_at"),
        ("2099-12-31T00:00:00Z", "2100-01-01T00:00:01Z", "ends_at"),
        ("2099-12-31T00:00:00Z", "9999-12-31T23:59:59Z", "ends_at"),
        ("2099-12-31T00:00:00Z", "+262142-12-31T23:59:59Z", "ends_at"),
    ] {
        let err = admin
            .add_time_off(
                w.chen.id,
                NewTimeOff {
                    starts_at: utc(starts_at),
                    ends_at: utc(ends_at),
                    reason: None,
                },
            )
            .expect_err("out of range");
        assert_eq!(err.code(), "invalid", "{starts_at}–{ends_at}: {err}");
        assert_eq!(err.view().field.as_deref(), Some(field), "{starts_at}");
    }
    assert!(admin.outbox().expect("outbox").is_empty());

    // A desk whose clock is a century behind cannot book in its "today".
    let behind = Desk::with_store(
        Store::open_in_memory().expect("store"),
        w.identity(Role::Reception),
        Clock::fixed(madrid(1999, 12, 27, 9, 0)),
    );
    w.seed(&behind);
    let err = behind
        .book(booking(
            w.chen.id,
            w.mateo.id,
            madrid(1999, 12, 27, 10, 0),
            30,
        ))
        .expect_err("out of range");
    assert_eq!(err.code(), "invalid", "{err}");
    assert_eq!(err.view().field.as_deref(), Some("starts_at"));
    assert!(behind.outbox().expect("outbox").is_empty());
}

#[test]
fn status_moves_are_checked_locally() {
    let w = World::new();
    let desk = w.desk(Role::Reception);
    let q = desk
        .book(booking(
            w.garcia.id,
            w.lucia.id,
            madrid(2026, 3, 23, 10, 0),
            30,
        ))
        .expect("booked");
    desk.check_in(q.row_id).expect("check in");
    // Checked in: cannot be moved or marked no-show; can be completed.
    let move_it = RescheduleAppointment {
        starts_at: madrid(2026, 3, 23, 12, 0),
        ends_at: madrid(2026, 3, 23, 12, 30),
        doctor_id: None,
        room_id: None,
    };
    assert_eq!(
        desk.reschedule(q.row_id, move_it)
            .expect_err("moved")
            .code(),
        "stale"
    );
    assert_eq!(desk.no_show(q.row_id).expect_err("no-show").code(), "stale");
    desk.complete(q.row_id).expect("complete");
    let cancel = CancelAppointment {
        reason: "ill".into(),
    };
    assert_eq!(
        desk.cancel(q.row_id, cancel).expect_err("cancel").code(),
        "stale"
    );
    assert_eq!(
        desk.check_in(Uuid::now_v7()).expect_err("unknown").code(),
        "not_found"
    );
    assert_eq!(desk.outbox().expect("outbox").len(), 3);

    // The appointment's own doctor may progress it; another doctor may not.
    let doctor_desk = w.desk(Role::Doctor);
    let own = appointment(w.garcia.id, w.lucia.id, madrid(2026, 3, 23, 11, 0), 30);
    let other = appointment(w.chen.id, w.lucia.id, madrid(2026, 3, 23, 11, 0), 30);
    doctor_desk
        .apply_pull_page(
            &page_of(
                100,
                vec![
                    SyncRow::Appointments(own.clone()),
                    SyncRow::Appointments(other.clone()),
                ],
                false,
            ),
            PullKind::Changes,
        )
        .expect("page");
    doctor_desk.check_in(own.id).expect("own");
    assert_eq!(
        doctor_desk.check_in(other.id).expect_err("other").code(),
        "not_permitted"
    );
}

#[test]
fn rebase_keeps_pending_mutations_on_top_of_newer_server_rows() {
    let w = World::new();
    let desk = w.desk(Role::Reception);
    let mine = desk
        .book(booking(
            w.garcia.id,
            w.lucia.id,
            madrid(2026, 3, 23, 10, 0),
            30,
        ))
        .expect("booked");
    let renamed = desk
        .update_patient(
            w.mateo.id,
            UpdatePatient {
                phone: Some(Some("699 000 111".into())),
                ..UpdatePatient::default()
            },
        )
        .expect("updated");
    assert_eq!(renamed.seq, 2);

    // Another desk booked Chen at 10:00 and renamed Lucía; Mateo's address changed.
    let theirs = appointment(w.chen.id, w.mateo.id, madrid(2026, 3, 23, 10, 0), 45);
    let mut lucia = w.lucia.clone();
    lucia.full_name = "Lucía Pérez de Núñez".into();
    let mut mateo = w.mateo.clone();
    mateo.address = Some("Calle Mayor 1".into());
    let cursor = desk.cursor().expect("cursor");
    desk.apply_pull_page(
        &page_of(
            cursor + 1,
            vec![
                SyncRow::Appointments(theirs.clone()),
                SyncRow::Patients(lucia),
                SyncRow::Patients(mateo),
            ],
            false,
        ),
        PullKind::Changes,
    )
    .expect("page");

    let day = desk.day_agenda(monday(), None).expect("agenda");
    assert_eq!(day.appointments.len(), 2);
    let mine_now = day
        .appointments
        .iter()
        .find(|a| a.id == mine.row_id)
        .expect("still there");
    assert!(mine_now.pending);
    assert_eq!(
        mine_now.patient_name.as_deref(),
        Some("Lucía Pérez de Núñez")
    );
    let theirs_now = day
        .appointments
        .iter()
        .find(|a| a.id == theirs.id)
        .expect("theirs");
    assert!(!theirs_now.pending);

    // Mateo: the server's new address plus our still-pending phone.
    let mateo_now = desk.patient(w.mateo.id).expect("read").expect("mateo");
    assert!(mateo_now.pending);
    assert_eq!(mateo_now.patient.address.as_deref(), Some("Calle Mayor 1"));
    assert_eq!(mateo_now.patient.phone.as_deref(), Some("699 000 111"));
    assert_eq!(desk.pending_count().expect("pending"), 2);
    assert_eq!(desk.cursor().expect("cursor"), cursor + 3);
    assert!(desk.check().expect("check").is_empty());
}

#[test]
fn a_server_change_under_a_pending_reschedule_is_rebased() {
    let w = World::new();
    let desk = w.desk(Role::Reception);
    let mut row = appointment(w.garcia.id, w.lucia.id, madrid(2026, 3, 23, 10, 0), 30);
    row.reason = Some("control".into());
    let cursor = desk.cursor().expect("cursor");
    desk.apply_pull_page(
        &page_of(cursor + 1, vec![SyncRow::Appointments(row.clone())], false),
        PullKind::Changes,
    )
    .expect("page");

    desk.reschedule(
        row.id,
        RescheduleAppointment {
            starts_at: madrid(2026, 3, 23, 12, 0),
            ends_at: madrid(2026, 3, 23, 12, 30),
            doctor_id: None,
            room_id: None,
        },
    )
    .expect("moved");

    // Meanwhile another desk put it in Sala 2 and changed its reason.
    let mut server = row.clone();
    server.room_id = Some(w.room2.id);
    server.reason = Some("control anual".into());
    desk.apply_pull_page(
        &page_of(
            cursor + 2,
            vec![SyncRow::Appointments(server.clone())],
            false,
        ),
        PullKind::Changes,
    )
    .expect("page");
    let day = desk.day_agenda(monday(), None).expect("agenda");
    let a = &day.appointments[0];
    assert_eq!(
        a.starts_at,
        madrid(2026, 3, 23, 12, 0),
        "our move stays on top"
    );
    assert_eq!(
        a.room_name.as_deref(),
        Some("Sala 2"),
        "their room comes through"
    );
    assert_eq!(a.reason.as_deref(), Some("control anual"));
    assert!(a.pending);

    // Then another desk cancels it: our move no longer applies locally...
    let mut cancelled = server.clone();
    cancelled.status = AppointmentStatus::Cancelled;
    cancelled.cancel_reason = Some("patient called".into());
    desk.apply_pull_page(
        &page_of(cursor + 3, vec![SyncRow::Appointments(cancelled)], false),
        PullKind::Changes,
    )
    .expect("page");
    let a = &desk
        .day_agenda(monday(), None)
        .expect("agenda")
        .appointments[0];
    assert_eq!(a.status, AppointmentStatus::Cancelled);
    assert_eq!(a.starts_at, madrid(2026, 3, 23, 10, 0));
    // ...and stays queued until the server says no, then goes to the inbox.
    assert_eq!(desk.pending_count().expect("pending"), 1);
    let answer = rejected(&desk, ErrorCode::Stale, "this appointment is cancelled");
    let sent = desk.pending_batch(500).expect("batch");
    let summary = desk.apply_push_response(&sent, &answer).expect("answer");
    assert_eq!(summary.rejected, 1);
    assert_eq!(desk.pending_count().expect("pending"), 0);
    let conflicts = desk.conflicts().expect("conflicts");
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].code, "stale");
    assert!(
        conflicts[0]
            .summary
            .starts_with("Move Lucía Pérez Núñez with Dra. Elena García"),
        "{}",
        conflicts[0].summary
    );
    let a = &desk
        .day_agenda(monday(), None)
        .expect("agenda")
        .appointments[0];
    assert_eq!(a.status, AppointmentStatus::Cancelled);
    assert!(!a.pending);

    // Picking another time for a move of what is now cancelled is refused
    // at once, and the conflict waits to be discarded.
    let err = desk
        .resolve_conflict(
            conflicts[0].id,
            Resolution::PickAnotherSlot {
                starts_at: madrid(2026, 3, 23, 13, 0),
                ends_at: madrid(2026, 3, 23, 13, 30),
                doctor_id: None,
                room_id: None,
            },
        )
        .expect_err("cancelled");
    assert_eq!(err.code(), "stale");
    assert_eq!(desk.conflicts().expect("conflicts").len(), 1);
    assert!(desk.outbox().expect("outbox").is_empty());
}

#[test]
fn a_rejected_booking_leaves_the_agenda_and_lands_in_conflicts() {
    let w = World::new();
    let desk = w.desk(Role::Reception);
    let start = madrid(2026, 3, 23, 10, 0);
    let q = desk
        .book(booking(w.garcia.id, w.lucia.id, start, 30))
        .expect("booked");
    let also = desk
        .register_patient(NewPatient {
            full_name: "Nora Gil".into(),
            ..NewPatient::default()
        })
        .expect("registered");

    // The server took the slot for someone else first: only the booking is rejected.
    let sent = desk.pending_batch(500).expect("batch");
    let answer = PushResponse {
        results: vec![
            MutationResult {
                seq: sent[0].seq,
                id: sent[0].id,
                outcome: Outcome::Rejected {
                    code: ErrorCode::SlotTaken,
                    message: "Dra. Elena García is already booked then".into(),
                },
            },
            MutationResult {
                seq: sent[1].seq,
                id: sent[1].id,
                outcome: Outcome::Applied,
            },
        ],
    };
    let summary = desk.apply_push_response(&sent, &answer).expect("answer");
    assert_eq!((summary.applied, summary.rejected), (1, 1));
    // A repeated answer (a retried push) changes nothing.
    desk.apply_push_response(&sent, &answer).expect("again");

    assert!(
        desk.day_agenda(monday(), None)
            .expect("agenda")
            .appointments
            .is_empty()
    );
    let conflicts = desk.conflicts().expect("conflicts");
    assert_eq!(conflicts.len(), 1);
    let c = &conflicts[0];
    assert_eq!(c.id, sent[0].id);
    assert_eq!(c.code, "slot_taken");
    assert_eq!(c.message, "Dra. Elena García is already booked then");
    assert_eq!(
        c.summary,
        "Book Lucía Pérez Núñez with Dra. Elena García on Mon 2026-03-23 10:00–10:30"
    );
    // The applied registration stays visible (not pending) until a pull confirms it.
    let nora = desk.patient(also.row_id).expect("read").expect("nora");
    assert!(!nora.pending);
    assert_eq!(desk.pending_count().expect("pending"), 0);
    assert_eq!(desk.sync_info().expect("info").awaiting_pull, 1);
    assert_eq!(desk.sync_info().expect("info").conflicts, 1);

    // Pick another slot: the conflict is replaced by a new pending booking.
    let later = start + Duration::hours(1);
    let again = desk
        .resolve_conflict(
            c.id,
            Resolution::PickAnotherSlot {
                starts_at: later,
                ends_at: later + Duration::minutes(30),
                doctor_id: None,
                room_id: None,
            },
        )
        .expect("rebooked")
        .expect("queued");
    assert_ne!(again.row_id, q.row_id);
    assert!(desk.conflicts().expect("conflicts").is_empty());
    let day = desk.day_agenda(monday(), None).expect("agenda");
    assert_eq!(day.appointments.len(), 1);
    assert_eq!(day.appointments[0].starts_at, later);
    assert!(day.appointments[0].pending);
}

#[test]
fn conflicts_can_be_retried_once_the_slot_frees_up_or_discarded() {
    let w = World::new();
    let desk = w.desk(Role::Reception);
    let start = madrid(2026, 3, 23, 10, 0);
    let blocker = appointment(w.garcia.id, w.mateo.id, start, 30);
    desk.book(booking(w.garcia.id, w.lucia.id, start, 30))
        .expect("booked");
    let answer = rejected(&desk, ErrorCode::SlotTaken, "taken");
    let sent = desk.pending_batch(500).expect("batch");
    desk.apply_push_response(&sent, &answer).expect("answer");
    let cursor = desk.cursor().expect("cursor");
    desk.apply_pull_page(
        &page_of(
            cursor + 1,
            vec![SyncRow::Appointments(blocker.clone())],
            false,
        ),
        PullKind::Changes,
    )
    .expect("page");
    let conflict = desk.conflicts().expect("conflicts").remove(0);

    // Still taken locally: retry is refused at once and the conflict stays.
    let err = desk
        .resolve_conflict(conflict.id, Resolution::Retry)
        .expect_err("still taken");
    assert_eq!(err.code(), "slot_taken");
    assert_eq!(desk.conflicts().expect("conflicts").len(), 1);

    // The other patient cancels; now the retry goes through with a new seq.
    let mut freed = blocker.clone();
    freed.status = AppointmentStatus::Cancelled;
    freed.cancel_reason = Some("called".into());
    desk.apply_pull_page(
        &page_of(cursor + 2, vec![SyncRow::Appointments(freed)], false),
        PullKind::Changes,
    )
    .expect("page");
    let retried = desk
        .resolve_conflict(conflict.id, Resolution::Retry)
        .expect("retried")
        .expect("queued");
    assert_eq!(retried.seq, 2);
    assert_ne!(retried.mutation_id, conflict.id);
    assert!(desk.conflicts().expect("conflicts").is_empty());
    let pending = desk.pending_batch(10).expect("batch");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].mutation.name(), "book_appointment");

    // Discard drops a conflict and queues nothing.
    let answer = rejected(&desk, ErrorCode::NotPermitted, "no");
    let sent = desk.pending_batch(500).expect("batch");
    desk.apply_push_response(&sent, &answer).expect("answer");
    let c = desk.conflicts().expect("conflicts").remove(0);
    assert_eq!(
        desk.resolve_conflict(c.id, Resolution::Discard)
            .expect("discard"),
        None
    );
    assert_eq!(
        desk.resolve_conflict(c.id, Resolution::Retry)
            .expect_err("already resolved")
            .code(),
        "not_found"
    );
    assert!(desk.conflicts().expect("conflicts").is_empty());
    assert!(desk.outbox().expect("outbox").is_empty());
    assert!(
        desk.day_agenda(monday(), None)
            .expect("agenda")
            .appointments
            .iter()
            .all(|a| a.patient_id != w.lucia.id || a.status == AppointmentStatus::Cancelled)
    );
}

#[test]
fn an_applied_mutation_stays_until_the_pull_that_brings_it_back_ends() {
    let w = World::new();
    let desk = w.desk(Role::Reception);
    let start = madrid(2026, 3, 23, 10, 0);
    let q = desk
        .book(booking(w.garcia.id, w.lucia.id, start, 30))
        .expect("booked");
    let answer = applied_all(&desk);
    let sent = desk.pending_batch(500).expect("batch");
    desk.apply_push_response(&sent, &answer).expect("applied");
    let agenda = desk.day_agenda(monday(), None).expect("agenda");
    assert_eq!(
        agenda.appointments.len(),
        1,
        "no blink between push and pull"
    );
    assert!(!agenda.appointments[0].pending);
    assert!(
        desk.pending_batch(10).expect("batch").is_empty(),
        "never pushed twice"
    );

    // A pull starts; its first page does not carry the booking yet.
    desk.pull_started().expect("started");
    let cursor = desk.cursor().expect("cursor");
    let unrelated = appointment(w.chen.id, w.mateo.id, start, 30);
    desk.apply_pull_page(
        &page_of(cursor + 1, vec![SyncRow::Appointments(unrelated)], true),
        PullKind::Changes,
    )
    .expect("page 1");
    assert_eq!(
        desk.day_agenda(monday(), None)
            .expect("agenda")
            .appointments
            .len(),
        2
    );
    assert_eq!(desk.sync_info().expect("info").awaiting_pull, 1);

    // The last page brings the server's copy: the outbox lets go of it.
    let mut server = appointment(w.garcia.id, w.lucia.id, start, 30);
    server.id = q.row_id;
    server.reason = Some("set by the server".into());
    desk.apply_pull_page(
        &page_of(cursor + 2, vec![SyncRow::Appointments(server)], false),
        PullKind::Changes,
    )
    .expect("page 2");
    assert!(desk.outbox().expect("outbox").is_empty());
    let day = desk.day_agenda(monday(), None).expect("agenda");
    let mine = day
        .appointments
        .iter()
        .find(|a| a.id == q.row_id)
        .expect("mine");
    assert_eq!(mine.reason.as_deref(), Some("set by the server"));
    assert!(!mine.pending);
}

#[test]
fn deletes_remove_rows_and_replayed_actions_on_them_wait_for_the_server() {
    let w = World::new();
    let desk = w.desk(Role::Reception);
    let row = appointment(w.garcia.id, w.lucia.id, madrid(2026, 3, 23, 10, 0), 30);
    let cursor = desk.cursor().expect("cursor");
    desk.apply_pull_page(
        &page_of(cursor + 1, vec![SyncRow::Appointments(row.clone())], false),
        PullKind::Changes,
    )
    .expect("page");
    desk.check_in(row.id).expect("checked in");
    // The appointment leaves this desk's sight (moved to a doctor it cannot see).
    desk.apply_pull_page(
        &PullPage {
            changes: vec![Change::Delete {
                version: cursor + 2,
                table: SyncTable::Appointments,
                id: row.id,
            }],
            cursor: cursor + 2,
            has_more: false,
        },
        PullKind::Changes,
    )
    .expect("delete");
    assert!(
        desk.day_agenda(monday(), None)
            .expect("agenda")
            .appointments
            .is_empty()
    );
    assert_eq!(desk.pending_count().expect("pending"), 1);
    assert!(desk.check().expect("check").is_empty());
}

#[test]
fn patient_search_ignores_accents_and_case_and_matches_prefixes() {
    let w = World::new();
    let desk = w.desk(Role::Reception);
    let names = |q: &str| -> Vec<String> {
        desk.search_patients(q, false, 10)
            .expect("search")
            .into_iter()
            .map(|h| h.full_name)
            .collect()
    };
    assert_eq!(names("Lucia"), ["Lucía Pérez Núñez"]);
    assert_eq!(names("lucía"), ["Lucía Pérez Núñez"]);
    assert_eq!(names("NUNEZ luc"), ["Lucía Pérez Núñez"]);
    assert_eq!(names("perez"), ["Lucía Pérez Núñez"]);
    assert_eq!(
        names("600100"),
        ["Lucía Pérez Núñez"],
        "phone digits as typed without spaces"
    );
    assert_eq!(names("600 100"), ["Lucía Pérez Núñez"]);
    assert_eq!(names("lucia.perez@exa"), ["Lucía Pérez Núñez"]);
    assert_eq!(names("611"), ["Mateo Ruiz"]);
    assert!(names("zzz").is_empty());
    assert!(
        names("\" OR *").is_empty(),
        "FTS syntax is searched as plain words"
    );
    assert_eq!(names("lucia OR"), Vec::<String>::new());
    // Archived patients only on request.
    assert!(names("antonio").is_empty());
    assert!(desk.search_patients("antonio", true, 10).expect("search")[0].archived);
    // A registration shows up in search at once, marked pending; an update re-indexes.
    let q = desk
        .register_patient(NewPatient {
            full_name: "José Ángel Müller".into(),
            phone: Some("622-333-444".into()),
            ..NewPatient::default()
        })
        .expect("registered");
    let hits = desk
        .search_patients("angel muller", false, 10)
        .expect("search");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].id, q.row_id);
    assert!(hits[0].pending);
    desk.update_patient(
        q.row_id,
        UpdatePatient {
            full_name: Some(Some("José Ángel Müller Sanz".into())),
            ..UpdatePatient::default()
        },
    )
    .expect("renamed");
    assert_eq!(names("sanz"), ["José Ángel Müller Sanz"]);
    assert_eq!(names("622333"), ["José Ángel Müller Sanz"]);
    assert!(desk.check().expect("check").is_empty());
}

#[test]
fn the_day_agenda_follows_madrid_across_dst_changes() {
    let w = World::new();
    let desk = w.desk(Role::Reception);
    let zone = chrono_tz::Europe::Madrid;
    use chrono::TimeZone;
    let local = |y, mo, d, h, mi| {
        zone.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .earliest()
            .expect("exists")
            .with_timezone(&chrono::Utc)
    };
    let a = |start| appointment(w.garcia.id, w.lucia.id, start, 30);
    // Around the spring change (Sunday 2026-03-29, 02:00 → 03:00) and the
    // autumn one (Sunday 2026-10-25, 03:00 → 02:00).
    let late_28 = a(local(2026, 3, 28, 23, 30));
    let early_29 = a(local(2026, 3, 29, 0, 30));
    let after_jump = a(local(2026, 3, 29, 3, 0));
    let late_29 = a(local(2026, 3, 29, 23, 30));
    let early_30 = a(local(2026, 3, 30, 0, 15));
    let oct_first_2am = a(local(2026, 10, 25, 2, 30));
    let oct_late = a(local(2026, 10, 25, 23, 30));
    let oct_26 = a(local(2026, 10, 26, 0, 0));
    let rows: Vec<SyncRow> = [
        &late_28,
        &early_29,
        &after_jump,
        &late_29,
        &early_30,
        &oct_first_2am,
        &oct_late,
        &oct_26,
    ]
    .iter()
    .map(|r| SyncRow::Appointments((*r).clone()))
    .collect();
    let cursor = desk.cursor().expect("cursor");
    desk.apply_pull_page(&page_of(cursor + 1, rows, false), PullKind::Changes)
        .expect("page");
    let ids = |d: NaiveDate| -> Vec<Uuid> {
        desk.day_agenda(d, None)
            .expect("agenda")
            .appointments
            .into_iter()
            .map(|a| a.id)
            .collect()
    };
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("date");
    assert_eq!(ids(day(3, 28)), [late_28.id]);
    assert_eq!(ids(day(3, 29)), [early_29.id, after_jump.id, late_29.id]);
    assert_eq!(ids(day(3, 30)), [early_30.id]);
    assert_eq!(ids(day(10, 25)), [oct_first_2am.id, oct_late.id]);
    assert_eq!(ids(day(10, 26)), [oct_26.id]);
    let spring = desk.day_agenda(day(3, 29), None).expect("agenda");
    assert_eq!((spring.to - spring.from).num_hours(), 23);
    assert_eq!(spring.time_zone, "Europe/Madrid");
    let autumn = desk.day_agenda(day(10, 25), None).expect("agenda");
    assert_eq!((autumn.to - autumn.from).num_hours(), 25);

    // The week of the spring change: Monday 23 to Sunday 29.
    let week = desk.week_agenda(day(3, 26), None).expect("week");
    assert_eq!(week.days.len(), 7);
    assert_eq!(week.days[0].date, day(3, 23));
    assert_eq!(week.days[6].date, day(3, 29));
    assert_eq!(week.days[6].appointments.len(), 3);
    assert_eq!(week.days[5].appointments.len(), 1);
}

#[test]
fn a_patient_record_holds_history_and_notes() {
    use clinic_core::api::patients::ClinicalNoteView;
    let w = World::new();
    let desk = w.desk(Role::Doctor);
    let old = appointment(w.garcia.id, w.lucia.id, madrid(2026, 2, 2, 10, 0), 30);
    let next = appointment(w.garcia.id, w.lucia.id, madrid(2026, 3, 30, 10, 0), 30);
    let note = ClinicalNoteView {
        id: Uuid::now_v7(),
        patient_id: w.lucia.id,
        author_id: w.garcia.user_id.expect("user"),
        author_name: "Dra. Elena García".into(),
        body: "BP 120/80".into(),
        created_at: madrid(2026, 2, 2, 10, 20),
    };
    let cursor = desk.cursor().expect("cursor");
    desk.apply_pull_page(
        &page_of(
            cursor + 1,
            vec![
                SyncRow::Appointments(old.clone()),
                SyncRow::Appointments(next.clone()),
                SyncRow::ClinicalNotes(note.clone()),
            ],
            false,
        ),
        PullKind::Changes,
    )
    .expect("page");
    let record = desk.patient(w.lucia.id).expect("read").expect("lucía");
    assert_eq!(record.patient, w.lucia);
    assert!(!record.pending);
    assert_eq!(
        record.appointments.iter().map(|a| a.id).collect::<Vec<_>>(),
        [next.id, old.id]
    );
    assert_eq!(record.notes, [note]);
    assert!(desk.patient(Uuid::now_v7()).expect("read").is_none());
}

#[test]
fn a_new_device_renumbers_what_is_still_queued() {
    let w = World::new();
    let desk = w.desk(Role::Reception);
    let first = Uuid::now_v7();
    desk.adopt_device(first).expect("adopt");
    for h in [10, 11, 12] {
        desk.book(booking(
            w.garcia.id,
            w.lucia.id,
            madrid(2026, 3, 23, h, 0),
            30,
        ))
        .expect("booked");
    }
    let answer = applied_all(&desk);
    let sent = desk.pending_batch(1).expect("batch");
    desk.apply_push_response(
        &sent,
        &PushResponse {
            results: answer.results[..1].to_vec(),
        },
    )
    .expect("first applied");
    desk.adopt_device(first)
        .expect("same device: nothing changes");
    assert_eq!(desk.pending_batch(10).expect("batch")[0].seq, 2);

    let second = Uuid::now_v7();
    desk.adopt_device(second).expect("new device");
    let seqs: Vec<i64> = desk
        .outbox()
        .expect("outbox")
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, [1, 2, 3]);
    assert_eq!(desk.sync_info().expect("info").next_seq, 4);
    assert_eq!(desk.sync_info().expect("info").device_id, Some(second));
    assert!(desk.check().expect("check").is_empty());
    assert!(
        desk.day_agenda(monday(), None)
            .expect("agenda")
            .appointments
            .iter()
            .filter(|a| a.pending)
            .count()
            == 2
    );
}

#[test]
fn admin_desk_manages_rooms_hours_and_time_off_offline() {
    use clinic_core::api::doctors::{NewTimeOff, WeekHours};
    use clinic_core::api::rooms::{NewRoom, UpdateRoom};
    use clinic_core::schedule::WorkingHours;
    let w = World::new();
    let desk = w.desk(Role::Admin);
    let room = desk
        .create_room(NewRoom {
            name: "Sala 3".into(),
        })
        .expect("room");
    assert_eq!(
        desk.create_room(NewRoom {
            name: "sala 1".into()
        })
        .expect_err("dup")
        .code(),
        "conflict"
    );
    desk.update_room(
        room.row_id,
        UpdateRoom {
            name: Some("Sala 3 (eco)".into()),
            active: None,
        },
    )
    .expect("renamed");
    assert!(
        desk.rooms(false)
            .expect("rooms")
            .iter()
            .any(|r| r.name == "Sala 3 (eco)")
    );

    let t = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0).expect("t");
    desk.set_working_hours(
        w.chen.id,
        WeekHours {
            hours: vec![WorkingHours {
                weekday: 1,
                starts: t(9, 0),
                ends: t(14, 0),
            }],
        },
    )
    .expect("hours");
    assert_eq!(desk.doctor_hours(w.chen.id).expect("hours").len(), 1);
    // The new week is what bookings are checked against.
    let err = desk
        .book(booking(
            w.chen.id,
            w.mateo.id,
            madrid(2026, 3, 23, 15, 0),
            30,
        ))
        .expect_err("afternoon");
    assert_eq!(err.code(), "outside_working_hours");
    assert!(err.to_string().contains("09:00–14:00"), "{err}");
    let off = desk
        .add_time_off(
            w.chen.id,
            NewTimeOff {
                starts_at: madrid(2026, 3, 23, 9, 0),
                ends_at: madrid(2026, 3, 23, 11, 0),
                reason: Some("congress".into()),
            },
        )
        .expect("time off");
    assert_eq!(
        desk.book(booking(
            w.chen.id,
            w.mateo.id,
            madrid(2026, 3, 23, 10, 0),
            30
        ))
        .expect_err("away")
        .code(),
        "outside_working_hours"
    );
    desk.remove_time_off(w.chen.id, off.row_id)
        .expect("removed");
    desk.book(booking(
        w.chen.id,
        w.mateo.id,
        madrid(2026, 3, 23, 10, 0),
        30,
    ))
    .expect("bookable again");

    // A rejected week puts the server's hours back.
    let sent = desk.pending_batch(500).expect("batch");
    let answer = PushResponse {
        results: sent
            .iter()
            .map(|m| MutationResult {
                seq: m.seq,
                id: m.id,
                outcome: if m.mutation.name() == "set_working_hours" {
                    Outcome::Rejected {
                        code: ErrorCode::NotPermitted,
                        message: "no".into(),
                    }
                } else {
                    Outcome::Applied
                },
            })
            .collect(),
    };
    desk.apply_push_response(&sent, &answer).expect("answer");
    assert_eq!(desk.doctor_hours(w.chen.id).expect("hours").len(), 7);
    assert!(desk.check().expect("check").is_empty());
}

#[test]
fn before_the_first_sync_the_desk_says_so() {
    let w = World::new();
    let desk = Desk::open_in_memory(w.identity(Role::Reception)).expect("desk");
    let err = desk.day_agenda(monday(), None).expect_err("no clinic yet");
    assert_eq!(err.code(), "not_synced");
    let err = desk
        .book(booking(
            w.garcia.id,
            w.lucia.id,
            madrid(2026, 3, 23, 10, 0),
            30,
        ))
        .expect_err("nothing to book against");
    assert_eq!(err.code(), "invalid");
    assert!(desk.outbox().expect("outbox").is_empty());
}

#[test]
fn a_file_store_pulled_from_zero_in_pages_reads_what_it_wrote() {
    let w = World::new();
    let dir = tempfile::tempdir().expect("dir");
    let desk = w.desk_at(&dir.path().join("store.sqlite3"), Role::Reception);
    // A first sync of several pages: the clinic, then an appointment of
    // Dra. García's on Monday, then the last page.
    let mut rows = w.rows();
    let first = page_of(1, rows.drain(..6).collect(), true);
    let rest = rows.len() as i64;
    let second = page_of(7, rows, true);
    let monday_ten = madrid(2026, 3, 23, 10, 0);
    let booked = appointment(w.garcia.id, w.lucia.id, monday_ten, 30);
    let last = page_of(7 + rest, vec![SyncRow::Appointments(booked.clone())], false);
    for page in [first, second, last] {
        desk.apply_pull_page(&page, PullKind::Changes)
            .expect("page");
    }
    let day = desk.day_agenda(monday(), None).expect("agenda");
    assert_eq!(day.appointments.len(), 1);
    assert_eq!(day.appointments[0].id, booked.id);
    assert_eq!(
        day.appointments[0].patient_name.as_deref(),
        Some(w.lucia.full_name.as_str())
    );
    assert_eq!(
        desk.day_agenda(monday(), Some(w.garcia.id))
            .expect("agenda")
            .appointments
            .len(),
        1
    );
    assert!(
        desk.day_agenda(monday(), Some(w.chen.id))
            .expect("agenda")
            .appointments
            .is_empty()
    );
    assert_eq!(
        desk.search_patients("lucia", false, 10).expect("search")[0].id,
        w.lucia.id
    );
    // An action is read back at once, marked pending.
    let q = desk
        .book(clinic_client::test_support::fixture::booking(
            w.chen.id,
            w.mateo.id,
            madrid(2026, 3, 23, 11, 0),
            30,
        ))
        .expect("book");
    let entry = desk.appointment(q.row_id).expect("read").expect("there");
    assert!(entry.pending);
    assert_eq!(
        desk.day_agenda(monday(), None)
            .expect("agenda")
            .appointments
            .len(),
        2
    );
    assert!(desk.check().expect("check").is_empty());
}
