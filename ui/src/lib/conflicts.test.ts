import { describe, expect, it } from "vitest";

import type { Agenda, ConflictView } from "../backend";
import { agendaDoctor, appointment, doctor, FakeBackend } from "../testing/fake-backend";
import {
  canPickAnotherSlot,
  conflictReason,
  conflictSummary,
  firstFreeSlot,
  freeSlots,
  resolveConflict,
  suggestSlots,
} from "./conflicts";

const DAY = "2026-03-30";

function day(over: Partial<Agenda> = {}, timeOff: { start: string; end: string }[] = []): Agenda {
  const elena = {
    ...doctor("doc-1", "Dr. Elena García"),
    hours: [
      { weekday: 1, start: "09:00", end: "11:00" },
      { weekday: 1, start: "15:00", end: "17:00" },
    ],
    timeOff: timeOff.map((t, i) => ({ id: `off-${i}`, ...t, reason: null })),
  };
  return {
    timeZone: "Europe/Madrid",
    today: DAY,
    days: [DAY],
    roster: [{ id: elena.id, fullName: elena.fullName, specialties: elena.specialties }],
    doctors: [agendaDoctor(elena, [DAY])],
    rooms: [],
    appointments: [],
    ...over,
  };
}

const conflict = (over: Partial<ConflictView> = {}): ConflictView => ({
  id: "c-1",
  action: "book_appointment",
  code: "slot_taken",
  message: "Dr. García is booked at 09:00",
  summary: "Book Luis Martín with Dr. Elena García on Mon 30 Mar 09:00–09:30",
  subjectName: "Luis Martín",
  requestedSlot: { doctorId: "doc-1", roomId: null, start: `${DAY}T09:00`, end: `${DAY}T09:30`, minutes: 30 },
  appointmentSlot: null,
  appointmentId: "appt-9",
  queuedAt: "2026-03-30T07:00:00Z",
  rejectedAt: "2026-03-30T07:05:00Z",
  ...over,
});

describe("firstFreeSlot", () => {
  it("suggests the first gap after the given time that fits", () => {
    const taken = [
      appointment({ id: "x", start: `${DAY}T09:00`, end: `${DAY}T09:30` }),
      appointment({ id: "y", start: `${DAY}T09:30`, end: `${DAY}T10:10` }),
    ];
    expect(firstFreeSlot(day({ appointments: taken }), "doc-1", `${DAY}T00:00`, 30)).toBe(`${DAY}T10:10`);
  });

  it("skips to the afternoon when the morning is full, and ignores cancelled appointments", () => {
    const taken = [
      appointment({ id: "x", start: `${DAY}T09:00`, end: `${DAY}T10:45` }),
      appointment({ id: "c", start: `${DAY}T15:00`, end: `${DAY}T16:00`, status: "cancelled" }),
    ];
    expect(firstFreeSlot(day({ appointments: taken }), "doc-1", `${DAY}T09:00`, 30)).toBe(`${DAY}T15:00`);
  });

  it("starts from now on today, on the five-minute grid", () => {
    expect(firstFreeSlot(day(), "doc-1", `${DAY}T09:17`, 30)).toBe(`${DAY}T09:20`);
  });

  it("steps over time off and rounds to five minutes", () => {
    const agenda = day({}, [{ start: `${DAY}T09:00`, end: `${DAY}T09:52` }]);
    expect(firstFreeSlot(agenda, "doc-1", `${DAY}T09:00`, 30)).toBe(`${DAY}T09:55`);
  });

  it("has nothing when the day is full or the doctor unknown", () => {
    const full = [appointment({ id: "x", start: `${DAY}T09:00`, end: `${DAY}T17:00` })];
    expect(firstFreeSlot(day({ appointments: full }), "doc-1", `${DAY}T09:00`, 30)).toBeNull();
    expect(firstFreeSlot(day(), "nobody", `${DAY}T09:00`, 30)).toBeNull();
  });
});

describe("freeSlots", () => {
  it("lists free starts back to back, skipping what is taken, up to the limit", () => {
    const taken = [appointment({ id: "x", start: `${DAY}T09:30`, end: `${DAY}T10:00` })];
    expect(freeSlots(day({ appointments: taken }), "doc-1", `${DAY}T00:00`, 30, 4)).toEqual([
      `${DAY}T09:00`,
      `${DAY}T10:00`,
      `${DAY}T10:30`,
      `${DAY}T15:00`,
    ]);
  });
});

describe("suggestSlots", () => {
  const elena = () => {
    const desk = new FakeBackend();
    desk.doctorList[0]!.hours = [{ weekday: 1, start: "09:00", end: "12:00" }];
    return desk;
  };

  it("offers the free times nearest the refused one that day, in time order", async () => {
    const desk = elena();
    desk.appointments = [appointment({ id: "x", start: `${DAY}T10:00`, end: `${DAY}T10:30` })];

    const found = await suggestSlots(desk, "doc-1", DAY, `${DAY}T10:00`, 30, `${DAY}T08:00`);

    expect(found).toEqual({
      sameDay: true,
      starts: [`${DAY}T09:00`, `${DAY}T09:30`, `${DAY}T10:30`, `${DAY}T11:00`],
    });
  });

  it("only offers times still ahead today", async () => {
    const found = await suggestSlots(elena(), "doc-1", DAY, `${DAY}T09:00`, 30, `${DAY}T11:10`);
    expect(found).toEqual({ sameDay: true, starts: [`${DAY}T11:10`] });
  });

  it("looks on the next days, a week after, when the day is full", async () => {
    const desk = elena();
    desk.appointments = [appointment({ id: "x", start: `${DAY}T09:00`, end: `${DAY}T12:00` })];

    const found = await suggestSlots(desk, "doc-1", DAY, `${DAY}T09:00`, 60, `${DAY}T08:00`);

    expect(found).toEqual({
      sameDay: false,
      starts: ["2026-04-06T09:00", "2026-04-06T10:00", "2026-04-06T11:00"],
    });
  });

  it("has nothing for a doctor without hours", async () => {
    const desk = elena();
    desk.doctorList[0]!.hours = [];
    expect(await suggestSlots(desk, "doc-1", DAY, null, 30, `${DAY}T08:00`)).toEqual({ sameDay: true, starts: [] });
  });
});

describe("conflictSummary", () => {
  const names = (id: string) => (id === "doc-1" ? "Dr. Elena García" : null);

  it("words a booking from its slot and a move from where the appointment is now", () => {
    expect(conflictSummary(conflict(), names, "en")).toMatchObject({
      key: "conflicts.action.book_appointment",
      params: { subject: "Luis Martín", doctor: "Dr. Elena García" },
    });
    const move = conflictSummary(
      conflict({
        action: "reschedule_appointment",
        appointmentSlot: { doctorId: "doc-1", roomId: null, start: `${DAY}T08:00`, end: `${DAY}T08:30`, minutes: 30 },
      }),
      names,
      "en",
    );
    expect(move.key).toBe("conflicts.action.reschedule_appointment");
    expect(String(move.params?.["from"])).toContain("08:00");
    expect(String(move.params?.["when"])).toContain("09:00");
  });

  it("words an action on an existing appointment, and one it does not know by the shell's text", () => {
    const checkIn = conflict({
      action: "check_in",
      requestedSlot: null,
      appointmentSlot: { doctorId: "doc-9", roomId: null, start: `${DAY}T11:00`, end: `${DAY}T11:15`, minutes: 15 },
    });
    expect(conflictSummary(checkIn, names, "es")).toMatchObject({
      key: "conflicts.action.check_in",
      params: { subject: "Luis Martín", doctor: "—" },
    });
    expect(canPickAnotherSlot(checkIn)).toBe(false);
    expect(canPickAnotherSlot(conflict())).toBe(true);
    expect(conflictSummary(conflict({ action: "new_thing" }), names, "en")).toEqual({
      key: "conflicts.action.other",
      params: { summary: conflict().summary },
    });
  });
});

describe("conflictReason", () => {
  it("says the server's reason in words", () => {
    expect(conflictReason(conflict())).toEqual({ key: "reason.slot_taken" });
    expect(conflictReason(conflict({ code: "outside_working_hours" }))).toEqual({
      key: "reason.outside_working_hours",
    });
  });
});

describe("resolveConflict", () => {
  it("rebooks at the chosen slot, says when, and hands back the inbox", async () => {
    const desk = new FakeBackend();
    desk.conflictList = [conflict(), conflict({ id: "c-2" })];
    const resolution = { kind: "pickAnotherSlot" as const, start: `${DAY}T10:10`, minutes: 30, doctorId: null, roomId: null };

    const outcome = await resolveConflict(desk, conflict(), resolution, "Mon 30 Mar, 10:10");

    expect(outcome).toEqual({
      ok: true,
      message: { key: "conflicts.rebooked", params: { when: "Mon 30 Mar, 10:10" } },
      inbox: [conflict({ id: "c-2" })],
    });
    expect(desk.called("resolveConflict")).toEqual([[{ id: "c-1", resolution }]]);
  });

  it("reports a failed resolution readably and keeps the conflict", async () => {
    const desk = new FakeBackend();
    desk.conflictList = [conflict()];
    desk.failNext("resolveConflict", "slot_taken", "taken again");

    const outcome = await resolveConflict(desk, conflict(), { kind: "retry" }, "");

    expect(outcome).toEqual({ ok: false, message: { key: "reason.slot_taken" } });
    expect(await desk.conflicts()).toHaveLength(1);
  });
});
