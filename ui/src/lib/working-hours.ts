import type { WeeklyHours } from "../backend";
import type { Message } from "./errors";

/**
 * What is wrong with a weekly schedule before it is sent: an interval that
 * ends before it starts, or two that overlap on the same day.
 */
export function hoursProblem(hours: WeeklyHours[]): Message | null {
  for (const h of hours) {
    if (!(h.start < h.end)) {
      return { key: "reason.invalid", detail: `${h.start}–${h.end}` };
    }
  }
  for (let day = 1; day <= 7; day++) {
    const sorted = hours.filter((h) => h.weekday === day).sort((a, b) => a.start.localeCompare(b.start));
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!;
      const cur = sorted[i]!;
      if (cur.start < prev.end) {
        return { key: "reason.conflict", detail: `${prev.start}–${prev.end} / ${cur.start}–${cur.end}` };
      }
    }
  }
  return null;
}
