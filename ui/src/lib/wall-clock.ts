/**
 * Clinic wall-clock values as the backend sends them: days "YYYY-MM-DD",
 * times "HH:MM", moments "YYYY-MM-DDTHH:MM". They carry no zone on purpose:
 * the backend converts to and from instants, the UI only does calendar
 * arithmetic (next day, +30 minutes), done on UTC fields so the computer's
 * own zone and its DST days never shift anything.
 */

const MOMENT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function toFields(ms: number): Date {
  return new Date(ms);
}

function momentFromDate(d: Date): string {
  return `${dayFromDate(d)}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

function dayFromDate(d: Date): string {
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Milliseconds of a wall-clock moment on a zone-less (UTC) axis, for ordering and spans. */
export function wallMs(moment: string): number {
  const m = MOMENT.exec(moment);
  if (!m) {
    throw new RangeError(`not a wall-clock moment: ${moment}`);
  }
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
}

export function isDay(value: string): boolean {
  const m = DAY.exec(value);
  if (!m) {
    return false;
  }
  // Reject 2026-02-31 and the like: the date must survive a round trip.
  return dayFromDate(toFields(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!))) === value;
}

export function isTime(value: string): boolean {
  return TIME.test(value);
}

export function addMinutes(moment: string, minutes: number): string {
  return momentFromDate(toFields(wallMs(moment) + minutes * 60_000));
}

export function minutesBetween(start: string, end: string): number {
  return Math.round((wallMs(end) - wallMs(start)) / 60_000);
}

export function addDays(day: string, days: number): string {
  return dayFromDate(toFields(wallMs(`${day}T00:00`) + days * 86_400_000));
}

export function dayOf(moment: string): string {
  return moment.slice(0, 10);
}

export function timeOf(moment: string): string {
  return moment.slice(11, 16);
}

export function moment(day: string, time: string): string {
  return `${day}T${time}`;
}

/** ISO weekday of a day: Monday = 1 … Sunday = 7. */
export function weekday(day: string): number {
  const d = toFields(wallMs(`${day}T00:00`)).getUTCDay();
  return d === 0 ? 7 : d;
}

/** The Monday of the week holding `day` (clinics plan their weeks from Monday). */
export function weekStart(day: string): string {
  return addDays(day, 1 - weekday(day));
}

/**
 * A wall-clock moment from the fields of a Date whose *local* fields hold it,
 * which is how @event-calendar hands dates to its callbacks.
 */
export function momentFromLocalFields(date: Date): string {
  return (
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

/** A Date for Intl formatting of a wall-clock value; format it with `timeZone: "UTC"`. */
export function formattingDate(momentOrDay: string): Date {
  const value = momentOrDay.length === 10 ? `${momentOrDay}T00:00` : momentOrDay;
  return toFields(wallMs(value));
}
