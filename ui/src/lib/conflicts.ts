import type { Agenda, Backend, ConflictResolution, ConflictView } from "../backend";
import { errorMessage, type Message } from "./errors";
import { addMinutes, minutesBetween, wallMs } from "./wall-clock";

/** The server's reason in words; the code decides, the server's text fills in details. */
export function conflictReason(conflict: ConflictView): Message {
  return errorMessage({ code: conflict.code, message: conflict.message });
}

const STEP_MINUTES = 5;

/**
 * The first start at or after `after` where `minutes` fit inside the
 * doctor's working hours and clash with none of their live appointments
 * (cancelled and no-show ones free their slot) nor their time off. Null
 * when the agenda's days have none.
 */
export function firstFreeSlot(agenda: Agenda, doctorId: string, after: string, minutes: number): string | null {
  const doctor = agenda.doctors.find((d) => d.id === doctorId);
  if (!doctor) {
    return null;
  }
  const busy = [
    ...agenda.appointments
      .filter((a) => a.doctorId === doctorId && a.status !== "cancelled" && a.status !== "noShow")
      .map((a) => [wallMs(a.start), wallMs(a.end)] as const),
    ...doctor.days.flatMap((d) => d.timeOff).map((r) => [wallMs(r.start), wallMs(r.end)] as const),
  ];
  const working = doctor.days.flatMap((d) => d.workingHours).sort((a, b) => wallMs(a.start) - wallMs(b.start));
  for (const range of working) {
    // Align to the grid so suggestions read like times people book (09:05, not 09:03).
    const aligned = (moment: string) => {
      const offset = minutesBetween(range.start, moment) % STEP_MINUTES;
      return offset === 0 ? moment : addMinutes(moment, STEP_MINUTES - offset);
    };
    let start = aligned(wallMs(range.start) >= wallMs(after) ? range.start : after);
    while (wallMs(addMinutes(start, minutes)) <= wallMs(range.end)) {
      const s = wallMs(start);
      const e = wallMs(addMinutes(start, minutes));
      const clash = busy.find(([bs, be]) => bs < e && s < be);
      if (!clash) {
        return start;
      }
      // Jump past what is in the way rather than crawl over it.
      start = aligned(addMinutes(start, Math.ceil((clash[1] - s) / 60_000)));
    }
  }
  return null;
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
