//! Random interleavings of two desks and a server (the stub's model, called
//! directly): local actions, partial pushes, answers lost on the way back,
//! paged pulls, changes made on the server by others. Whatever happened,
//! once both desks push and pull to the end they hold exactly the server's
//! appointments, their outboxes are empty, and every rejection is in an inbox.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use clinic_client::test_support::fixture::{World, booking, madrid, now};
use clinic_client::test_support::stub::Server;
use clinic_client::{Clock, Desk, DeskIdentity, PullKind, Store};
use clinic_core::Role;
use clinic_core::api::appointments::{BookAppointment, CancelAppointment, RescheduleAppointment};
use clinic_core::schedule::AppointmentStatus;
use clinic_core::sync::{Mutation, Outcome, PullQuery, PushRequest};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

struct SimDesk {
    desk: Desk,
    user: Uuid,
    device: Uuid,
    /// A paged pull is under way.
    pulling: bool,
}

fn slot(rng: &mut StdRng) -> DateTime<Utc> {
    let day = rng.gen_range(23..=27);
    let half_hours = rng.gen_range(0..24);
    madrid(2026, 3, day, 8, 0) + Duration::minutes(30 * half_hours)
}

/// What must agree: id, doctor, patient, start, end and status.
type Seen = (Uuid, Uuid, Uuid, DateTime<Utc>, DateTime<Utc>, &'static str);

fn week(desk: &Desk) -> Vec<Seen> {
    let monday = NaiveDate::from_ymd_opt(2026, 3, 23).expect("date");
    let mut all: Vec<_> = desk
        .week_agenda(monday, None)
        .expect("week")
        .days
        .into_iter()
        .flat_map(|d| d.appointments)
        .map(|a| {
            (
                a.id,
                a.doctor_id,
                a.patient_id,
                a.starts_at,
                a.ends_at,
                a.status.as_str(),
            )
        })
        .collect();
    all.sort();
    all.dedup();
    all
}

fn push(server: &mut Server, d: &SimDesk, max: usize, lose_answer: bool) {
    let batch = d.desk.pending_batch(max).expect("batch");
    if batch.is_empty() {
        return;
    }
    let answer = server.push(
        d.user,
        d.device,
        &PushRequest {
            mutations: batch.clone(),
        },
    );
    if !lose_answer {
        d.desk.apply_push_response(&batch, &answer).expect("answer");
    }
}

fn pull_page(server: &Server, d: &mut SimDesk, limit: u32) {
    if !d.pulling {
        d.desk.pull_started().expect("start");
        d.pulling = true;
    }
    let page = server.page(&PullQuery {
        cursor: Some(d.desk.cursor().expect("cursor")),
        limit: Some(limit),
        priority: false,
        stage: None,
    });
    let done = !page.has_more;
    d.desk
        .apply_pull_page(&page, PullKind::Changes)
        .expect("page");
    if done {
        d.pulling = false;
    }
}

fn settle(server: &mut Server, d: &mut SimDesk) {
    while !d.desk.pending_batch(1).expect("batch").is_empty() {
        push(server, d, 500, false);
    }
    if d.pulling {
        // Finish the pull under way; its start predates answers it may not cover.
        while d.pulling {
            pull_page(server, d, 1000);
        }
    }
    pull_page(server, d, 1000);
    while d.pulling {
        pull_page(server, d, 1000);
    }
}

/// Returns how many conflicts and appointments the run ended with.
fn simulate(seed: u64, steps: usize) -> (usize, usize) {
    let mut rng = StdRng::seed_from_u64(seed);
    let w = World::new();
    let mut server = Server::default();
    for row in w.rows() {
        server.put(row);
    }
    let mut desks: Vec<SimDesk> = (0..2)
        .map(|_| {
            let user = Uuid::now_v7();
            let device = Uuid::now_v7();
            let desk = Desk::with_store(
                Store::open_in_memory().expect("store"),
                DeskIdentity {
                    clinic_id: w.clinic.id,
                    user_id: user,
                    role: Role::Reception,
                },
                Clock::fixed(now()),
            );
            desk.adopt_device(device).expect("device");
            SimDesk {
                desk,
                user,
                device,
                pulling: false,
            }
        })
        .collect();
    for d in desks.iter_mut() {
        settle(&mut server, d);
    }
    let doctors = [w.garcia.id, w.chen.id];
    let patients = [w.lucia.id, w.mateo.id];
    let local_refusals = [
        "slot_taken",
        "stale",
        "outside_working_hours",
        "invalid",
        "not_found",
    ];

    for step in 0..steps {
        let i = rng.gen_range(0..desks.len());
        let pick = rng.gen_range(0..11);
        let d = &mut desks[i];
        let mine = week(&d.desk);
        let any =
            |rng: &mut StdRng| (!mine.is_empty()).then(|| mine[rng.gen_range(0..mine.len())].0);
        let acted = match pick {
            0..=3 => Some(d.desk.book(booking(
                doctors[rng.gen_range(0..2)],
                patients[rng.gen_range(0..2)],
                slot(&mut rng),
                30,
            ))),
            4 => any(&mut rng).map(|id| {
                d.desk.cancel(
                    id,
                    CancelAppointment {
                        reason: "called".into(),
                    },
                )
            }),
            5 => any(&mut rng).map(|id| {
                let start = slot(&mut rng);
                d.desk.reschedule(
                    id,
                    RescheduleAppointment {
                        starts_at: start,
                        ends_at: start + Duration::minutes(30),
                        doctor_id: None,
                        room_id: None,
                    },
                )
            }),
            6 => any(&mut rng).map(|id| d.desk.check_in(id)),
            7 | 8 => {
                let lose = rng.gen_bool(0.2);
                let max = rng.gen_range(1..=4);
                push(&mut server, d, max, lose);
                None
            }
            9 => {
                let limit = rng.gen_range(1..=4);
                pull_page(&server, d, limit);
                None
            }
            _ => {
                // Someone else, straight on the server: a booking or a cancellation.
                let live: Vec<Uuid> = server
                    .appointments()
                    .iter()
                    .filter(|a| a.status == AppointmentStatus::Booked)
                    .map(|a| a.id)
                    .collect();
                let m = if rng.gen_bool(0.5) || live.is_empty() {
                    let start = slot(&mut rng);
                    Mutation::BookAppointment {
                        appointment_id: Uuid::now_v7(),
                        booking: BookAppointment {
                            ends_at: start + Duration::minutes(30),
                            ..booking(doctors[rng.gen_range(0..2)], patients[0], start, 30)
                        },
                    }
                } else {
                    Mutation::CancelAppointment {
                        appointment_id: live[rng.gen_range(0..live.len())],
                        cancel: CancelAppointment {
                            reason: "by phone".into(),
                        },
                    }
                };
                server.apply(Uuid::nil(), &m);
                None
            }
        };
        if let Some(Err(e)) = acted {
            assert!(
                local_refusals.contains(&e.code()),
                "seed {seed} step {step}: unexpected error {e} [{}]",
                e.code()
            );
        }
        assert_eq!(
            d.desk.check().expect("check"),
            Vec::<String>::new(),
            "seed {seed} step {step}"
        );
    }

    // Everyone pushes and pulls to the end, twice round so each sees the other's last.
    for _ in 0..2 {
        for d in desks.iter_mut() {
            settle(&mut server, d);
        }
    }
    let on_server: Vec<Seen> = {
        let mut v: Vec<_> = server
            .appointments()
            .into_iter()
            .map(|a| {
                (
                    a.id,
                    a.doctor_id,
                    a.patient_id,
                    a.starts_at,
                    a.ends_at,
                    a.status.as_str(),
                )
            })
            .collect();
        v.sort();
        v
    };
    for (n, d) in desks.iter().enumerate() {
        assert_eq!(
            week(&d.desk),
            on_server,
            "seed {seed}: desk {n} differs from the server"
        );
        assert!(
            d.desk.outbox().expect("outbox").is_empty(),
            "seed {seed}: desk {n} outbox"
        );
        let rejected = server
            .answers
            .iter()
            .filter(|((device, _), r)| {
                *device == d.device && matches!(r.outcome, Outcome::Rejected { .. })
            })
            .count();
        assert_eq!(
            d.desk.conflicts().expect("conflicts").len(),
            rejected,
            "seed {seed}: desk {n}: every rejection is in the inbox, once"
        );
        // No double booking survives anywhere.
        let live = |x: &Seen| AppointmentStatus::parse(x.5).expect("status").is_live();
        let seen = week(&d.desk);
        for a in seen.iter().filter(|a| live(a)) {
            assert!(
                !seen
                    .iter()
                    .any(|b| a.0 != b.0 && live(b) && a.1 == b.1 && a.3 < b.4 && b.3 < a.4),
                "seed {seed}: desk {n} shows a double booking"
            );
        }
    }
    let conflicts = desks
        .iter()
        .map(|d| d.desk.conflicts().expect("conflicts").len())
        .sum();
    (conflicts, on_server.len())
}

#[test]
fn desks_converge_to_the_server_whatever_the_interleaving() {
    let seeds: u64 = std::env::var("CONVERGE_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    let (mut conflicts, mut appointments) = (0, 0);
    for seed in 0..seeds {
        let (c, a) = simulate(seed, 80);
        conflicts += c;
        appointments += a;
    }
    // The runs did exercise rejections and bookings, not just idle desks.
    assert!(
        conflicts > 0 && appointments > 0,
        "{conflicts} conflicts, {appointments} appointments"
    );
}
