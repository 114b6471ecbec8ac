import { describe, expect, it } from "vitest";

import type { Agenda } from "../backend";
import { agendaDoctor, appointment, doctor } from "../testing/fake-backend";
import {
  calendarEvents,
  changedOptions,
  gaps,
  hiddenWeekdays,
  shadingEvents,
  visibleHours,
  type MappingOptions,
} from "./agenda-events";

const DAY = "2026-03-30";
const WEEK = ["2026-03-30", "2026-03-31", "2026-04-01", "2026-04-02", "2026-04-03", "2026-04-04", "2026-04-05"];
const range = (start: string, end: string) => ({ start, end, reason: null });

function agenda(over: Partial<Agenda> = {}): Agenda {
  const elena = {
    ...doctor("doc-1", "Dr. Elena García"),
    hours: [
      { weekday: 1, start: "09:00", end: "13:00" },
      { weekday: 1, start: "15:00", end: "19:00" },
    ],
    timeOff: [{ id: "off", start: `${DAY}T11:00`, end: `${DAY}T12:00`, reason: "Training" }],
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

const options: MappingOptions = { canMove: true, roomId: null, showCancelled: false };
const shown = (a: Agenda, o = options) => calendarEvents(a, o).filter((e) => e.display === "auto");

describe("appointment events", () => {
  it("places an appointment in its doctor's column on the clinic's clock", () => {
    expect(shown(agenda({ appointments: [appointment()] }))[0]).toMatchObject({
      id: "appt-1",
      resourceIds: ["doc-1"],
      start: `${DAY}T09:00`,
      end: `${DAY}T09:30`,
      title: "Lucía Gómez",
      classNames: ["appt", "appt-booked"],
      editable: true,
    });
  });

  it("marks an unsynced appointment as pending", () => {
    expect(shown(agenda({ appointments: [appointment({ pending: true })] }))[0]?.classNames).toContain("appt-pending");
  });

  it("lets only booked appointments move, and only for roles that may", () => {
    const appts = [appointment({ id: "a", status: "booked" }), appointment({ id: "b", status: "checked_in" })];
    const editable = (canMove: boolean) =>
      shown(agenda({ appointments: appts }), { ...options, canMove }).map((e) => [e.id, e.editable]);

    expect(editable(true)).toEqual([
      ["a", true],
      ["b", false],
    ]);
    expect(editable(false)).toEqual([
      ["a", false],
      ["b", false],
    ]);
  });

  it("filters by room and hides cancelled appointments", () => {
    const appts = [
      appointment({ id: "r1", roomId: "room-1" }),
      appointment({ id: "r2", roomId: "room-2" }),
      appointment({ id: "c", roomId: "room-1", status: "cancelled" }),
    ];
    expect(shown(agenda({ appointments: appts }), { ...options, roomId: "room-1" }).map((e) => e.id)).toEqual(["r1"]);
  });
});

describe("shading", () => {
  it("greys the day outside working hours", () => {
    expect(gaps(DAY, agenda().doctors[0]!.days[0]!.workingHours)).toEqual([
      range(`${DAY}T00:00`, `${DAY}T09:00`),
      range(`${DAY}T13:00`, `${DAY}T15:00`),
      range(`${DAY}T19:00`, "2026-03-31T00:00"),
    ]);
  });

  it("greys the whole day of a doctor who does not work it", () => {
    expect(gaps(DAY, [])).toEqual([range(`${DAY}T00:00`, "2026-03-31T00:00")]);
  });

  it("merges overlapping and touching intervals", () => {
    const working = [
      range(`${DAY}T10:00`, `${DAY}T12:00`),
      range(`${DAY}T09:00`, `${DAY}T10:30`),
      range(`${DAY}T12:00`, `${DAY}T14:00`),
    ];
    expect(gaps(DAY, working)).toEqual([
      range(`${DAY}T00:00`, `${DAY}T09:00`),
      range(`${DAY}T14:00`, "2026-03-31T00:00"),
    ]);
  });

  it("adds time off as its own background, in the doctor's column", () => {
    const shades = shadingEvents(agenda());

    expect(shades.every((e) => e.display === "background" && e.resourceIds[0] === "doc-1")).toBe(true);
    expect(shades.filter((e) => e.extendedProps.shade === "time_off")).toEqual([
      expect.objectContaining({ start: `${DAY}T11:00`, end: `${DAY}T12:00`, classNames: ["shade-time_off"] }),
    ]);
    expect(new Set(shades.map((e) => e.id)).size).toBe(shades.length);
  });
});

describe("visible hours", () => {
  it("spans the working day, rounded out to whole hours, at least 08–20", () => {
    expect(visibleHours(agenda())).toEqual({ min: "08:00", max: "20:00" });
    const early = agenda({ appointments: [appointment({ start: `${DAY}T06:40`, end: `${DAY}T07:10` })] });
    expect(visibleHours(early)).toEqual({ min: "06:00", max: "20:00" });
    const late = agenda({ appointments: [appointment({ start: `${DAY}T21:00`, end: `${DAY}T21:15` })] });
    expect(visibleHours(late).max).toBe("22:00");
  });
});

describe("hiddenWeekdays", () => {
  it("hides the days of the week nobody works and nothing is booked", () => {
    const weekdays = { ...doctor("doc-1", "A"), hours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "09:00", end: "17:00" })) };
    const base = agenda({ days: WEEK, doctors: [agendaDoctor(weekdays, WEEK)] });

    expect(hiddenWeekdays(base)).toEqual([6, 0]);
    const saturday = appointment({ start: "2026-04-04T10:00", end: "2026-04-04T10:30" });
    expect(hiddenWeekdays({ ...base, appointments: [saturday] })).toEqual([0]);
    expect(hiddenWeekdays({ ...base, doctors: [] })).toEqual([]);
  });
});

describe("changedOptions", () => {
  it("hands over only what differs, lists by content", () => {
    const events = [{ id: "a" }];
    const current = { view: "day", hiddenDays: [0, 6], resources: [{ id: "d" }], events };
    expect(changedOptions(current, { view: "day", hiddenDays: [0, 6], resources: [{ id: "d" }], events })).toBeNull();
    expect(changedOptions(current, { view: "week", hiddenDays: [0], resources: [{ id: "d" }], events })).toEqual({
      view: "week",
      hiddenDays: [0],
    });
  });

  it("always hands over a new list of events (they are compared by the calendar itself)", () => {
    const current = { events: [{ id: "a" }] };
    expect(changedOptions(current, { events: [{ id: "a" }] })).toEqual({ events: [{ id: "a" }] });
  });
});
