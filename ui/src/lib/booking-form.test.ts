import { describe, expect, it } from "vitest";

import { LIMITS } from "../backend";
import { translate } from "../i18n/index.svelte";
import { LIMIT_PARAMS, draftField, validateBooking, type BookingDraft } from "./booking-form";

const draft = (over: Partial<BookingDraft> = {}): BookingDraft => ({
  doctorId: "doc-1",
  patientId: "pat-1",
  roomId: "",
  date: "2026-03-30",
  time: "09:30",
  minutes: 30,
  reason: "  check-up ",
  ...over,
});

describe("validateBooking", () => {
  it("builds the booking on the clinic's clock, trimming and nulling what is empty", () => {
    expect(validateBooking(draft())).toEqual({
      booking: {
        doctorId: "doc-1",
        patientId: "pat-1",
        roomId: null,
        start: "2026-03-30T09:30",
        minutes: 30,
        reason: "check-up",
      },
    });
    expect(validateBooking(draft({ roomId: "room-1", reason: " " }))).toMatchObject({
      booking: { roomId: "room-1", reason: null },
    });
  });

  it("names every missing or wrong field at once", () => {
    expect(validateBooking(draft({ doctorId: "", patientId: "", date: "", time: "9" }))).toEqual({
      errors: {
        doctorId: "booking.error.doctor",
        patientId: "booking.error.patient",
        date: "booking.error.date",
        time: "booking.error.time",
      },
    });
  });

  it.each([0, 4, 721, 12.5])("refuses a length of %s minutes", (minutes) => {
    expect(validateBooking(draft({ minutes }))).toEqual({ errors: { minutes: "booking.error.duration" } });
  });

  it("refuses an impossible date and an over-long reason", () => {
    expect(validateBooking(draft({ date: "2026-02-30" }))).toEqual({ errors: { date: "booking.error.date" } });
    expect(validateBooking(draft({ reason: "x".repeat(501) }))).toEqual({ errors: { reason: "booking.error.reason" } });
  });
});

describe("draftField", () => {
  it("puts the backend's field errors beside the matching input", () => {
    expect(draftField("start")).toBe("time");
    expect(draftField("minutes")).toBe("minutes");
    expect(draftField("patientId")).toBe("patientId");
    expect(draftField("starts_at")).toBe("time");
    expect(draftField("something_else")).toBeNull();
    expect(draftField(null)).toBeNull();
  });
});

describe("LIMIT_PARAMS", () => {
  it("fills the booking errors with the limits desk and server enforce", () => {
    expect(translate("en", "booking.error.duration", LIMIT_PARAMS)).toBe(
      `The length must be between ${LIMITS.appointmentMinMinutes} minutes and ${LIMITS.appointmentMaxMinutes / 60} hours.`,
    );
    expect(translate("es", "booking.error.reason", LIMIT_PARAMS)).toBe(
      `El motivo debe tener menos de ${LIMITS.reasonMaxChars} caracteres.`,
    );
    expect(validateBooking(draft({ minutes: LIMITS.appointmentMaxMinutes }))).toHaveProperty("booking");
    expect(validateBooking(draft({ minutes: LIMITS.appointmentMinMinutes - 1 }))).toHaveProperty("errors");
  });
});
