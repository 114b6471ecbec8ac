/**
 * "2 min ago" for the last sync. Coarse on purpose: the status bar refreshes
 * every few seconds and a person only needs to know whether it is recent.
 */
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
];

export function relativeTime(instant: string, now: Date, locale: string): string {
  const seconds = Math.round((now.getTime() - new Date(instant).getTime()) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  if (seconds < 45) {
    // Also covers a clock a little behind the server's: never "in 3 seconds".
    return format.format(0, "second");
  }
  for (const [unit, size] of UNITS) {
    if (seconds >= size) {
      return format.format(-Math.floor(seconds / size), unit);
    }
  }
  return format.format(-1, "minute");
}
