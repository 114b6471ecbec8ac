import { LIMITS, type BookRequest } from "../backend";
import type { MessageKey, Params } from "../i18n/index.svelte";
import { isDay, isTime, moment } from "./wall-clock";

/** What the booking dialog holds while a person types. */
export interface BookingDraft {
  doctorId: string;
  patientId: string;
  roomId: string;
  date: string;
  time: string;
  minutes: number;
  reason: string;
}

export type BookingErrors = Partial<Record<keyof BookingDraft, MessageKey>>;

export const DURATIONS = [10, 15, 20, 30, 45, 60, 90, 120];

/** The numbers the booking errors quote, from the limits themselves. */
export const LIMIT_PARAMS: Params = {
  minMinutes: LIMITS.appointmentMinMinutes,
  maxHours: LIMITS.appointmentMaxMinutes / 60,
  maxChars: LIMITS.reasonMaxChars,
};

/**
 * Checks what the desk can check without the backend (the backend checks
 * overlaps and working hours, and answers with a code). Returns the booking
 * to send, or the field errors to show.
 */
export function validateBooking(draft: BookingDraft): { booking: BookRequest } | { errors: BookingErrors } {
  const errors: BookingErrors = {};
  if (draft.doctorId === "") {
    errors.doctorId = "booking.error.doctor";
  }
  if (draft.patientId === "") {
    errors.patientId = "booking.error.patient";
  }
  if (!isDay(draft.date)) {
    errors.date = "booking.error.date";
  }
  if (!isTime(draft.time)) {
    errors.time = "booking.error.time";
  }
  if (!Number.isInteger(draft.minutes) || draft.minutes < LIMITS.appointmentMinMinutes || draft.minutes > LIMITS.appointmentMaxMinutes) {
    errors.minutes = "booking.error.duration";
  }
  const reason = draft.reason.trim();
  if (reason.length > LIMITS.reasonMaxChars) {
    errors.reason = "booking.error.reason";
  }
  if (Object.keys(errors).length > 0) {
    return { errors };
  }
  return {
    booking: {
      doctorId: draft.doctorId,
      patientId: draft.patientId,
      roomId: draft.roomId === "" ? null : draft.roomId,
      start: moment(draft.date, draft.time),
      minutes: draft.minutes,
      reason: reason === "" ? null : reason,
    },
  };
}

/** Maps a backend `field` name onto the dialog's field, to show the error in place. */
export function draftField(field: string | null): keyof BookingDraft | null {
  switch (field) {
    case "doctorId":
    case "doctor_id":
      return "doctorId";
    case "patientId":
    case "patient_id":
      return "patientId";
    case "roomId":
    case "room_id":
      return "roomId";
    case "start":
    case "starts_at":
      return "time";
    case "minutes":
    case "ends_at":
      return "minutes";
    case "reason":
      return "reason";
    default:
      return null;
  }
}
