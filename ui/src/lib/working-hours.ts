import type { Message } from "./errors";
import type { WorkingHours } from "./desk";

/**
 * What is wrong with a weekly schedule before it is sent: an interval that
 * ends before it starts, or two that overlap on the same day.
 */
export function hoursProblem(hours: WorkingHours[]): Message | null {
  for (const h of hours) {
    if (!(h.starts < h.ends)) {
      return { key: "reason.invalid", params: { detail: `${h.starts}–${h.ends}` } };
    }
  }
  for (let day = 1; day <= 7; day++) {
    const sorted = hours.filter((h) => h.weekday === day).sort((a, b) => a.starts.localeCompare(b.starts));
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!;
      const cur = sorted[i]!;
      if (cur.starts < prev.ends) {
        return { key: "reason.conflict", params: { detail: `${prev.starts}–${prev.ends} / ${cur.starts}–${cur.ends}` } };
      }
    }
  }
  return null;
}
