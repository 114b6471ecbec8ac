import { describe, expect, it } from "vitest";

import { appointment, doctor } from "../testing/fake-backend";
import { calendarEvents, gaps, hiddenWeekdays, shadingEvents, visibleHours } from "./agenda-events";
import type { Agenda } from "./desk";

const DAY = "2026-03-30";

function agenda(over: Partial<Agenda> = {}): Agenda {
  return {
    time_zone: "Europe/Madrid",
    today: DAY,
    days: [DAY],
    doctors: [
      {
        ...doctor("doc-1", "Dr. Elena García"),
        working: [
          { start: `${DAY}T09:00`, end: `${DAY}T13:00` },
          { start: `${DAY}T15:00`, end: `${DAY}T19:00` },
        ],
        time_off: [{ start: `${DAY}T11:00`, end: `${DAY}T12:00` }],
      },
    ],
    rooms: [],
    appointments: [],
    ...over,
  };
}

const options = { canMove: true, roomId: null, showCancelled: false };

describe("appointment events", () => {
  it("places an appointment in its doctor's column on the clinic's clock", () => {
    const [event] = calendarEvents(agenda({ appointments: [appointment()] }), options).filter(
      (e) => e.display === "auto",
    );

    expect(event).toMatchObject({
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
    const events = calendarEvents(agenda({ appointments: [appointment({ pending: true })] }), options);

    expect(events.find((e) => e.id === "appt-1")?.classNames).toContain("appt-pending");
  });

  it("lets only booked appointments move, and only for roles that may", () => {
    const appts = [appointment({ id: "a", status: "booked" }), appointment({ id: "b", status: "checked_in" })];
    const editable = (canMove: boolean) =>
      calendarEvents(agenda({ appointments: appts }), { ...options, canMove })
        .filter((e) => e.display === "auto")
        .map((e) => [e.id, e.editable]);

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
      appointment({ id: "r1", room_id: "room-1" }),
      appointment({ id: "r2", room_id: "room-2" }),
      appointment({ id: "c", room_id: "room-1", status: "cancelled" }),
    ];
    const shown = calendarEvents(agenda({ appointments: appts }), { ...options, roomId: "room-1" })
      .filter((e) => e.display === "auto")
      .map((e) => e.id);

    expect(shown).toEqual(["r1"]);
  });
});

describe("shading", () => {
  it("greys the day outside working hours", () => {
    expect(gaps(DAY, agenda().doctors[0]!.working)).toEqual([
      { start: `${DAY}T00:00`, end: `${DAY}T09:00` },
      { start: `${DAY}T13:00`, end: `${DAY}T15:00` },
      { start: `${DAY}T19:00`, end: "2026-03-31T00:00" },
    ]);
  });

  it("greys the whole day of a doctor who does not work it", () => {
    expect(gaps(DAY, [])).toEqual([{ start: `${DAY}T00:00`, end: "2026-03-31T00:00" }]);
  });

  it("merges overlapping and touching intervals", () => {
    const working = [
      { start: `${DAY}T10:00`, end: `${DAY}T12:00` },
      { start: `${DAY}T09:00`, end: `${DAY}T10:30` },
      { start: `${DAY}T12:00`, end: `${DAY}T14:00` },
    ];
    expect(gaps(DAY, working)).toEqual([
      { start: `${DAY}T00:00`, end: `${DAY}T09:00` },
      { start: `${DAY}T14:00`, end: "2026-03-31T00:00" },
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
    const week = ["2026-03-30", "2026-03-31", "2026-04-01", "2026-04-02", "2026-04-03", "2026-04-04", "2026-04-05"];
    const working = week.slice(0, 5).map((d) => ({ start: `${d}T09:00`, end: `${d}T17:00` }));
    const base = agenda({ days: week, doctors: [{ ...doctor("doc-1", "A"), working }] });

    expect(hiddenWeekdays(base)).toEqual([6, 0]);
    const saturday = appointment({ start: "2026-04-04T10:00", end: "2026-04-04T10:30" });
    expect(hiddenWeekdays({ ...base, appointments: [saturday] })).toEqual([0]);
    expect(hiddenWeekdays({ ...base, doctors: [] })).toEqual([]);
  });
});
