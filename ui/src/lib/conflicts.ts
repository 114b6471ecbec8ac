import type { Agenda, Backend, ConflictResolution, ConflictView, RequestedSlot } from "../backend";
import type { MessageKey } from "../i18n/index.svelte";
import { errorMessage, type Message } from "./errors";
import { formatMoment, formatTime } from "./format";
import { addDays, addMinutes, dayOf, minutesBetween, wallMs } from "./wall-clock";

/** The server's reason in words; the code decides, the server's text fills in details. */
export function conflictReason(conflict: ConflictView): Message {
  return errorMessage({ code: conflict.code, message: conflict.message });
}

const STEP_MINUTES = 5;

/** Whether "pick another slot" applies: a refused booking or move, which carries the slot it asked for. */
export function canPickAnotherSlot(conflict: ConflictView): boolean {
  return conflict.requestedSlot !== null;
}

const ACTIONS: Record<string, MessageKey> = {
  book_appointment: "conflicts.action.book_appointment",
  reschedule_appointment: "conflicts.action.reschedule_appointment",
  cancel_appointment: "conflicts.action.cancel_appointment",
  check_in: "conflicts.action.check_in",
  mark_no_show: "conflicts.action.mark_no_show",
  complete_appointment: "conflicts.action.complete_appointment",
  register_patient: "conflicts.action.register_patient",
  update_patient: "conflicts.action.update_patient",
  archive_patient: "conflicts.action.archive_patient",
  set_working_hours: "conflicts.action.set_working_hours",
  add_time_off: "conflicts.action.add_time_off",
  remove_time_off: "conflicts.action.remove_time_off",
  create_room: "conflicts.action.create_room",
  update_room: "conflicts.action.update_room",
};

/**
 * What was tried, in the UI's language, from the conflict's fields (the
 * shell's `summary` is English). `doctorName` gives today's name of a
 * doctor id; `locale` formats the time. An action this version does not
 * know falls back to the shell's summary.
 */
export function conflictSummary(
  conflict: ConflictView,
  doctorName: (id: string) => string | null,
  locale: string,
): Message {
  const key = ACTIONS[conflict.action];
  if (!key) {
    return { key: "conflicts.action.other", params: { summary: conflict.summary } };
  }
  const slot = conflict.requestedSlot ?? conflict.appointmentSlot;
  const span = (s: RequestedSlot) => `${formatMoment(s.start, locale)}–${formatTime(s.end, locale)}`;
  const doctorId = slot?.doctorId ?? null;
  return {
    key,
    params: {
      subject: conflict.subjectName ?? "—",
      doctor: (doctorId && doctorName(doctorId)) ?? "—",
      when: slot ? span(slot) : "—",
      from: conflict.appointmentSlot ? span(conflict.appointmentSlot) : "—",
    },
  };
}

interface Busy {
  start: number;
  end: number;
}

/**
 * Free starts for `minutes` inside the doctor's working hours, at or after
 * `after`, clashing with none of their live appointments (cancelled and
 * no-show ones free their slot) nor their time off; in time order,
 * back to back (each after the previous one ends), at most `limit`.
 */
export function freeSlots(agenda: Agenda, doctorId: string, after: string, minutes: number, limit: number): string[] {
  const doctor = agenda.doctors.find((d) => d.id === doctorId);
  if (!doctor) {
    return [];
  }
  const busy: Busy[] = [
    ...agenda.appointments
      .filter((a) => a.doctorId === doctorId && a.status !== "cancelled" && a.status !== "no_show")
      .map((a) => ({ start: wallMs(a.start), end: wallMs(a.end) })),
    ...doctor.days.flatMap((d) => d.timeOff).map((r) => ({ start: wallMs(r.start), end: wallMs(r.end) })),
  ];
  const working = doctor.days.flatMap((d) => d.workingHours).sort((a, b) => wallMs(a.start) - wallMs(b.start));
  const found: string[] = [];
  for (const range of working) {
    // Align to the grid so suggestions read like times people book (09:05, not 09:03).
    const aligned = (moment: string) => {
      const offset = minutesBetween(range.start, moment) % STEP_MINUTES;
      return offset === 0 ? moment : addMinutes(moment, STEP_MINUTES - offset);
    };
    let start = aligned(wallMs(range.start) >= wallMs(after) ? range.start : after);
    while (found.length < limit && wallMs(addMinutes(start, minutes)) <= wallMs(range.end)) {
      const s = wallMs(start);
      const e = wallMs(addMinutes(start, minutes));
      const clash = busy.find((b) => b.start < e && s < b.end);
      if (clash) {
        // Jump past what is in the way rather than crawl over it.
        start = aligned(addMinutes(start, Math.ceil((clash.end - s) / 60_000)));
      } else {
        found.push(start);
        start = addMinutes(start, minutes);
      }
    }
  }
  return found;
}

/** The first free start (see `freeSlots`), or null when the agenda's days have none. */
export function firstFreeSlot(agenda: Agenda, doctorId: string, after: string, minutes: number): string | null {
  return freeSlots(agenda, doctorId, after, minutes, 1)[0] ?? null;
}

/** How many times the picker offers, and how far ahead it looks when the day is full. */
export const SUGGESTIONS = 4;
export const LOOK_AHEAD_WEEKS = 2;

/**
 * Times to offer instead of a refused one: on `day`, the free times nearest
 * to `wanted` (from `now` on, if `day` is today), in time order; if that
 * day has none, the first free times of the next days that have any, up to
 * `LOOK_AHEAD_WEEKS` weeks on. `sameDay` says which case it is.
 */
export async function suggestSlots(
  desk: Pick<Backend, "agenda">,
  doctorId: string,
  day: string,
  wanted: string | null,
  minutes: number,
  now: string,
): Promise<{ sameDay: boolean; starts: string[] }> {
  const from = (d: string) => (dayOf(now) === d ? now : wallMs(`${d}T00:00`) < wallMs(now) ? null : `${d}T00:00`);
  const start = from(day);
  if (start) {
    const agenda = await desk.agenda({ date: day, days: 1, doctorIds: [doctorId] });
    const all = freeSlots(agenda, doctorId, start, minutes, Number.MAX_SAFE_INTEGER);
    const target = wanted && dayOf(wanted) === day ? wallMs(wanted) : wallMs(start);
    const nearest = [...all]
      .sort((a, b) => Math.abs(wallMs(a) - target) - Math.abs(wallMs(b) - target))
      .slice(0, SUGGESTIONS)
      .sort((a, b) => wallMs(a) - wallMs(b));
    if (nearest.length > 0) {
      return { sameDay: true, starts: nearest };
    }
  }
  // Weeks come Monday to Sunday: read the day's week, then the next ones.
  for (let week = 0; week <= LOOK_AHEAD_WEEKS; week++) {
    const agenda = await desk.agenda({ date: addDays(day, 7 * week), days: 7, doctorIds: [doctorId] });
    for (const d of agenda.days) {
      const after = d > day ? from(d) : null;
      if (!after) {
        continue;
      }
      const starts = freeSlots(agenda, doctorId, after, minutes, SUGGESTIONS)
        .filter((s) => dayOf(s) === d);
      if (starts.length > 0) {
        return { sameDay: false, starts };
      }
    }
  }
  return { sameDay: true, starts: [] };
}

/** What a resolution says when it worked. */
export function resolvedMessage(resolution: ConflictResolution, when: string): Message {
  switch (resolution.kind) {
    case "discard":
      return { key: "conflicts.discarded" };
    case "retry":
      return { key: "conflicts.retried" };
    case "pickAnotherSlot":
      return { key: "conflicts.rebooked", params: { when } };
  }
}

/**
 * Resolves one conflict and reports the outcome as a message, with the
 * inbox as it is afterwards (a failed resolution leaves the conflict there).
 */
export async function resolveConflict(
  desk: Pick<Backend, "resolveConflict">,
  conflict: ConflictView,
  resolution: ConflictResolution,
  when: string,
): Promise<{ ok: true; message: Message; inbox: ConflictView[] } | { ok: false; message: Message }> {
  try {
    const inbox = await desk.resolveConflict({ id: conflict.id, resolution });
    return { ok: true, message: resolvedMessage(resolution, when), inbox };
  } catch (raw) {
    return { ok: false, message: errorMessage(raw) };
  }
}
