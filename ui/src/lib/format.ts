import { formattingDate } from "./wall-clock";

/**
 * Intl formatting of the clinic's wall-clock values. Every formatter pins
 * `timeZone: "UTC"` because the values were put on a UTC axis unchanged
 * (see wall-clock.ts): this prints them as they are, whatever the computer's zone.
 */
const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let found = cache.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" });
    cache.set(key, found);
  }
  return found;
}

export function formatTime(moment: string, locale: string): string {
  return formatter(locale, { hour: "2-digit", minute: "2-digit" }).format(formattingDate(moment));
}

export function formatTimeRange(start: string, end: string, locale: string): string {
  return `${formatTime(start, locale)}–${formatTime(end, locale)}`;
}

export function formatDay(day: string, locale: string): string {
  return formatter(locale, { weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(
    formattingDate(day),
  );
}

/** A day as a toolbar title: the weekday in full, the month short ("Wednesday, Dec 23, 2026"). */
export function formatTitleDay(day: string, locale: string): string {
  return formatter(locale, { weekday: "long", day: "numeric", month: "short", year: "numeric" }).format(
    formattingDate(day),
  );
}

export function formatMoment(moment: string, locale: string): string {
  return formatter(locale, {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  }).format(formattingDate(moment));
}

/** A week as "30 Mar – 5 Apr 2026" in the locale's own range style. */
export function formatDayRange(first: string, last: string, locale: string): string {
  return formatter(locale, { day: "numeric", month: "short", year: "numeric" }).formatRange(
    formattingDate(first),
    formattingDate(last),
  );
}

/** An instant (RFC 3339), e.g. when a note was written, shown on the clinic's clock. */
export function formatInstant(instant: string, locale: string, timeZone: string | undefined): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", ...(timeZone ? { timeZone } : {}) }).format(
    new Date(instant),
  );
}
