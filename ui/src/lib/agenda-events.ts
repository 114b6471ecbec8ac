import type { Agenda, Appointment, AppointmentStatus, WallRange } from "../backend";
import { everyOf } from "./every";
import { addDays, wallMs, weekday } from "./wall-clock";

/** The subset of @event-calendar's event input this agenda produces. */
export interface CalendarEvent {
  id: string;
  resourceIds: string[];
  start: string;
  end: string;
  title: string;
  display: "auto" | "background";
  classNames: string[];
  editable: boolean;
  extendedProps: { appointment?: Appointment; shade?: "off_hours" | "time_off" };
}

export const STATUSES = everyOf<AppointmentStatus>({
  booked: true,
  checked_in: true,
  completed: true,
  cancelled: true,
  no_show: true,
});

/** Only a booked appointment can still be moved; the rest is history. */
export function isMovable(appointment: Appointment): boolean {
  return appointment.status === "booked";
}

export interface MappingOptions {
  /** The signed-in role may move appointments (reception, admin). */
  canMove: boolean;
  /** Show only appointments in this room. */
  roomId: string | null;
  showCancelled: boolean;
}

export function appointmentEvent(appointment: Appointment, canMove: boolean): CalendarEvent {
  const classNames = ["appt", `appt-${appointment.status}`];
  if (appointment.pending) {
    classNames.push("appt-pending");
  }
  return {
    id: appointment.id,
    resourceIds: [appointment.doctorId],
    start: appointment.start,
    end: appointment.end,
    title: appointment.patientName ?? "",
    display: "auto",
    classNames,
    editable: canMove && isMovable(appointment),
    extendedProps: { appointment },
  };
}

/** Merges overlapping or touching ranges; input in any order. */
function merge(ranges: WallRange[]): WallRange[] {
  const sorted = [...ranges].sort((a, b) => wallMs(a.start) - wallMs(b.start));
  const out: WallRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && wallMs(r.start) <= wallMs(last.end)) {
      if (wallMs(r.end) > wallMs(last.end)) {
        last.end = r.end;
      }
    } else {
      out.push({ ...r });
    }
  }
  return out;
}

/** The parts of `day` (midnight to midnight) not covered by `covered`. */
export function gaps(day: string, covered: WallRange[]): WallRange[] {
  const dayStart = `${day}T00:00`;
  const dayEnd = `${addDays(day, 1)}T00:00`;
  const out: WallRange[] = [];
  let cursor = dayStart;
  for (const r of merge(covered)) {
    const start = wallMs(r.start) < wallMs(dayStart) ? dayStart : r.start;
    const end = wallMs(r.end) > wallMs(dayEnd) ? dayEnd : r.end;
    if (wallMs(end) <= wallMs(start)) {
      continue;
    }
    if (wallMs(start) > wallMs(cursor)) {
      out.push({ start: cursor, end: start, reason: null });
    }
    if (wallMs(end) > wallMs(cursor)) {
      cursor = end;
    }
  }
  if (wallMs(cursor) < wallMs(dayEnd)) {
    out.push({ start: cursor, end: dayEnd, reason: null });
  }
  return out;
}

function shade(doctorId: string, range: WallRange, kind: "off_hours" | "time_off", n: number): CalendarEvent {
  return {
    id: `shade-${kind}-${doctorId}-${n}`,
    resourceIds: [doctorId],
    start: range.start,
    end: range.end,
    title: "",
    display: "background",
    classNames: [`shade-${kind}`],
    editable: false,
    extendedProps: { shade: kind },
  };
}

/**
 * Background events greying each doctor's non-working time on each shown
 * day, and their time off on top (marked apart so the legend can tell them).
 */
export function shadingEvents(agenda: Agenda): CalendarEvent[] {
  const out: CalendarEvent[] = [];
  for (const doctor of agenda.doctors) {
    let n = 0;
    for (const day of doctor.days) {
      for (const gap of gaps(day.date, day.workingHours)) {
        out.push(shade(doctor.id, gap, "off_hours", n++));
      }
      for (const off of day.timeOff) {
        out.push(shade(doctor.id, off, "time_off", n++));
      }
    }
  }
  return out;
}

export function calendarEvents(agenda: Agenda, options: MappingOptions): CalendarEvent[] {
  const appointments = agenda.appointments
    .filter((a) => options.showCancelled || a.status !== "cancelled")
    .filter((a) => options.roomId === null || a.roomId === options.roomId)
    .map((a) => appointmentEvent(a, options.canMove));
  return [...shadingEvents(agenda), ...appointments];
}

/**
 * Week days nobody works and nothing is booked on (a clinic's weekend), in
 * @event-calendar's numbering (Sunday = 0), so the week spends its width on
 * working days. Never hides every day.
 */
export function hiddenWeekdays(agenda: Agenda): number[] {
  const used = new Set<string>();
  for (const doctor of agenda.doctors) {
    for (const day of doctor.days) {
      if (day.workingHours.length > 0) {
        used.add(day.date);
      }
    }
  }
  for (const a of agenda.appointments) {
    used.add(a.start.slice(0, 10));
  }
  const idle = agenda.days.filter((day) => !used.has(day));
  if (idle.length === agenda.days.length) {
    return [];
  }
  return idle.map((day) => weekday(day) % 7);
}

/**
 * The hours the grid shows: from the earliest working hour or appointment
 * to the latest, rounded out to whole hours, at least a usual clinic day.
 */
export function visibleHours(agenda: Agenda): { min: string; max: string } {
  const minutesOfDay = (moment: string) => +moment.slice(11, 13) * 60 + +moment.slice(14, 16);
  let first = 8 * 60;
  let last = 20 * 60;
  const ranges = [...agenda.doctors.flatMap((d) => d.days.flatMap((day) => day.workingHours)), ...agenda.appointments];
  for (const r of ranges) {
    first = Math.min(first, minutesOfDay(r.start));
    // An end at midnight of the next day means "until the end of the day".
    const end = r.end.slice(0, 10) === r.start.slice(0, 10) ? minutesOfDay(r.end) : 24 * 60;
    last = Math.max(last, end);
  }
  const hh = (m: number) => `${String(m / 60).padStart(2, "0")}:00`;
  return { min: hh(Math.floor(first / 60) * 60), max: hh(Math.min(24 * 60, Math.ceil(last / 60) * 60)) };
}

/**
 * The options whose value differs, by content for lists (a new array of the
 * same resources is no change), or null when nothing does. The calendar
 * re-renders for every option it is handed, equal or not.
 */
export function changedOptions<T extends object>(current: T, next: T): Partial<T> | null {
  const changed: Partial<T> = {};
  let any = false;
  for (const key of Object.keys(next) as (keyof T & string)[]) {
    const before: unknown = current[key];
    const after = next[key];
    const same =
      before === after ||
      (key !== "events" && Array.isArray(before) && Array.isArray(after) && JSON.stringify(before) === JSON.stringify(after));
    if (!same) {
      changed[key] = after;
      any = true;
    }
  }
  return any ? changed : null;
}
