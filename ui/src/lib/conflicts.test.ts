import { describe, expect, it } from "vitest";

import { appointment, doctor, FakeBackend } from "../testing/fake-backend";
import { conflictReason, firstFreeSlot, resolveConflict } from "./conflicts";
import type { Agenda, Conflict } from "./desk";

const DAY = "2026-03-30";

function day(over: Partial<Agenda> = {}): Agenda {
  return {
    time_zone: "Europe/Madrid",
    today: DAY,
    days: [DAY],
    doctors: [
      {
        ...doctor("doc-1", "Dr. Elena García"),
        working: [
          { start: `${DAY}T09:00`, end: `${DAY}T11:00` },
          { start: `${DAY}T15:00`, end: `${DAY}T17:00` },
        ],
      },
    ],
    rooms: [],
    appointments: [],
    ...over,
  };
}

const conflict = (over: Partial<Conflict> = {}): Conflict => ({
  id: "c-1",
  code: "slot_taken",
  message: "Dr. García is booked at 09:00",
  appointment: appointment({ pending: true }),
  created_at: "2026-03-30T07:00:00Z",
  ...over,
});

describe("firstFreeSlot", () => {
  it("suggests the first gap after the refused time that fits", () => {
    const taken = [
      appointment({ id: "x", start: `${DAY}T09:00`, end: `${DAY}T09:30` }),
      appointment({ id: "y", start: `${DAY}T09:30`, end: `${DAY}T10:10` }),
    ];
    expect(firstFreeSlot(day({ appointments: taken }), "doc-1", `${DAY}T09:00`, 30)).toBe(`${DAY}T10:10`);
  });

  it("skips to the afternoon when the morning is full, and ignores cancelled appointments", () => {
    const taken = [
      appointment({ id: "x", start: `${DAY}T09:00`, end: `${DAY}T10:45` }),
      appointment({ id: "c", start: `${DAY}T15:00`, end: `${DAY}T16:00`, status: "cancelled" }),
    ];
    expect(firstFreeSlot(day({ appointments: taken }), "doc-1", `${DAY}T09:00`, 30)).toBe(`${DAY}T15:00`);
  });

  it("steps over time off and rounds to five minutes", () => {
    const agenda = day();
    agenda.doctors[0]!.time_off = [{ start: `${DAY}T09:00`, end: `${DAY}T09:52` }];
    expect(firstFreeSlot(agenda, "doc-1", `${DAY}T09:00`, 30)).toBe(`${DAY}T09:55`);
  });

  it("has nothing when the day is full or the doctor unknown", () => {
    const full = [appointment({ id: "x", start: `${DAY}T09:00`, end: `${DAY}T17:00` })];
    expect(firstFreeSlot(day({ appointments: full }), "doc-1", `${DAY}T09:00`, 30)).toBeNull();
    expect(firstFreeSlot(day(), "nobody", `${DAY}T09:00`, 30)).toBeNull();
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
  it("rebooks at the chosen slot and says when", async () => {
    const desk = new FakeBackend();
    desk.conflictList = [conflict()];

    const outcome = await resolveConflict(
      desk,
      conflict(),
      { kind: "pick_another_slot", start: `${DAY}T10:10`, minutes: 30 },
      "Mon 30 Mar, 10:10",
    );

    expect(outcome).toEqual({ ok: true, message: { key: "conflicts.rebooked", params: { when: "Mon 30 Mar, 10:10" } } });
    expect(desk.called("resolveConflict")).toEqual([
      ["c-1", { kind: "pick_another_slot", start: `${DAY}T10:10`, minutes: 30 }],
    ]);
    expect(await desk.conflicts()).toEqual([]);
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
