/**
 * The clinic's clock right now, as a wall-clock moment "YYYY-MM-DDTHH:MM".
 * Intl reads the current instant in the clinic's zone — formatting, not
 * arithmetic — so the first agenda read can ask for the clinic's today
 * before the backend has said which day that is. Without a zone yet (before
 * the first sync) the computer's own clock stands in.
 */
export function clinicNow(timeZone: string | null, now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    ...(timeZone ? { timeZone } : {}),
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(now);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "00";
  return `${part("year")}-${part("month")}-${part("day")}T${part("hour")}:${part("minute")}`;
}
