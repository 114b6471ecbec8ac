// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { BookingDraft } from "../lib/booking-form";
import { toasts } from "../lib/toasts.svelte";
import { agendaDoctor, doctor, FakeBackend, TODAY } from "../testing/fake-backend";
import { renderWith } from "../testing/render";
import BookingDialog from "./BookingDialog.svelte";

const initial: BookingDraft = {
  doctorId: "doc-1",
  patientId: "",
  roomId: "",
  date: "2026-03-30",
  time: "09:00",
  minutes: 30,
  reason: "",
};

function open(desk: FakeBackend, over: Partial<BookingDraft> = {}, onsaved = vi.fn()) {
  const onclose = vi.fn();
  renderWith(BookingDialog, desk, {
    initial: { ...initial, ...over },
    doctors: [doctor("doc-1", "Dr. Elena García"), doctor("doc-2", "Dr. Wei Chen")].map((d) => agendaDoctor(d, [TODAY])),
    rooms: [{ id: "room-1", name: "Room 1", active: true }],
    onclose,
    onsaved,
  });
  return onclose;
}

async function pickPatient(name: string) {
  await fireEvent.input(screen.getByTestId("patient-search"), { target: { value: name } });
  await fireEvent.click(await screen.findByText(name));
}

describe("booking dialog", () => {
  afterEach(() => {
    toasts.splice(0);
  });

  it("finds the patient as one types and books", async () => {
    const desk = new FakeBackend();
    const onclose = open(desk);

    await pickPatient("Lucía Gómez");
    expect(screen.getByTestId("booking-patient-chosen").textContent).toBe("Lucía Gómez");
    await fireEvent.click(screen.getByTestId("booking-save"));

    await waitFor(() => expect(onclose).toHaveBeenCalled());
    expect(desk.called("bookAppointment")).toEqual([
      [
        {
          doctorId: "doc-1",
          patientId: "pat-1",
          roomId: null,
          start: "2026-03-30T09:00",
          minutes: 30,
          reason: null,
        },
      ],
    ]);
    expect(toasts[0]?.message.key).toBe("booking.booked");
  });

  it("shows what is missing beside each field and sends nothing", async () => {
    const desk = new FakeBackend();
    open(desk, { doctorId: "", time: "" });

    await fireEvent.click(screen.getByTestId("booking-save"));

    expect(screen.getByTestId("booking-error-patientId").textContent).toContain("Choose or register a patient.");
    expect(screen.getByTestId("booking-error-doctorId")).toBeTruthy();
    expect(screen.getByTestId("booking-error-time")).toBeTruthy();
    expect(desk.called("bookAppointment")).toEqual([]);
  });

  it("says the slot is taken in words and stays open", async () => {
    const desk = new FakeBackend();
    desk.failNext("bookAppointment", "slot_taken", "Dr. García is booked at 09:00");
    const onclose = open(desk);

    await pickPatient("Luis Martín");
    await fireEvent.click(screen.getByTestId("booking-save"));

    expect((await screen.findByTestId("booking-error")).textContent).toContain("That time is already booked for this doctor.");
    expect(onclose).not.toHaveBeenCalled();
  });

  it("registers a new patient inline and books them", async () => {
    const desk = new FakeBackend();
    const onsaved = vi.fn();
    const onclose = open(desk, {}, onsaved);

    await fireEvent.click(screen.getByTestId("booking-register-patient"));
    await fireEvent.input(screen.getByTestId("patient-field-fullName"), { target: { value: "Ana Ruiz" } });
    await fireEvent.input(screen.getByTestId("patient-field-phone"), { target: { value: "600 123 456" } });
    await fireEvent.click(screen.getByTestId("patient-save"));

    expect((await screen.findByTestId("booking-patient-chosen")).textContent).toBe("Ana Ruiz");
    expect(desk.called("registerPatient")[0]?.[0]).toMatchObject({ fullName: "Ana Ruiz", phone: "600 123 456" });
    await fireEvent.click(screen.getByTestId("booking-save"));
    await waitFor(() => expect(onclose).toHaveBeenCalled());
    expect(desk.called("bookAppointment")[0]?.[0]).toMatchObject({ patientId: "pat-3" });
    // The agenda learns which doctor the desk is working with.
    expect(onsaved).toHaveBeenCalledWith("doc-1");
  });

  it("puts a field error from the backend beside that field", async () => {
    const desk = new FakeBackend();
    desk.failNext("registerPatient", "invalid", "email is not an address", "email");
    open(desk);

    await fireEvent.click(screen.getByTestId("booking-register-patient"));
    await fireEvent.input(screen.getByTestId("patient-field-fullName"), { target: { value: "Ana Ruiz" } });
    await fireEvent.input(screen.getByTestId("patient-field-email"), { target: { value: "ana@" } });
    await fireEvent.click(screen.getByTestId("patient-save"));

    // The UI's own words name the field; the backend's text is the small print beneath.
    const error = (await screen.findByText(/email is not an address/)).closest(".field-error");
    expect(error?.id).toBe("booking-patient-email-error");
    expect(error?.textContent).toContain("Check “Email”: it is not valid.");
  });
});
