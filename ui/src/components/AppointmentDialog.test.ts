// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { Session } from "../backend";
import { toasts } from "../lib/toasts.svelte";
import { appointment, FakeBackend, SESSION, sessionAs } from "../testing/fake-backend";
import { renderWith } from "../testing/render";
import AppointmentDialog from "./AppointmentDialog.svelte";

function open(desk: FakeBackend, session: Session = SESSION, over = {}) {
  const onclose = vi.fn();
  renderWith(AppointmentDialog, desk, { appointment: appointment(over), session, onclose, onedit: vi.fn() });
  return onclose;
}

describe("appointment dialog", () => {
  afterEach(() => {
    toasts.splice(0);
  });

  it("checks a patient in and says so", async () => {
    const desk = new FakeBackend();
    const onclose = open(desk);

    await fireEvent.click(screen.getByTestId("appointment-check-in"));

    await waitFor(() => expect(onclose).toHaveBeenCalled());
    expect(desk.called("checkIn")).toEqual([["appt-1"]]);
    expect(toasts[0]?.message).toEqual({ key: "appointment.checked_in", params: { patient: "Lucía Gómez" } });
  });

  it("needs a reason to cancel", async () => {
    const desk = new FakeBackend();
    const onclose = open(desk);

    await fireEvent.click(screen.getByTestId("appointment-cancel"));
    await fireEvent.click(screen.getByTestId("cancel-confirm"));
    expect(screen.getByText("Say why the appointment is cancelled.")).toBeTruthy();
    expect(desk.called("cancelAppointment")).toEqual([]);

    await fireEvent.input(screen.getByTestId("cancel-reason"), { target: { value: " patient is ill " } });
    await fireEvent.click(screen.getByTestId("cancel-confirm"));
    await waitFor(() => expect(onclose).toHaveBeenCalled());
    expect(desk.called("cancelAppointment")).toEqual([[{ id: "appt-1", reason: "patient is ill" }]]);
  });

  it("shows a refusal in words and stays open", async () => {
    const desk = new FakeBackend();
    desk.failNext("markNoShow", "stale", "cancelled elsewhere");
    const onclose = open(desk);

    await fireEvent.click(screen.getByTestId("appointment-no-show"));

    expect((await screen.findByTestId("appointment-error")).textContent).toContain("changed or cancelled on another desk");
    expect(onclose).not.toHaveBeenCalled();
  });

  it("marks an unsynced appointment as pending", () => {
    open(new FakeBackend(), SESSION, { pending: true });

    expect(screen.getByTestId("appointment-pending").textContent).toContain("Pending sync");
  });

  it("lets a doctor progress only their own appointments, and never move or cancel", () => {
    const doctor = sessionAs("doctor", { doctorId: "doc-1" });
    open(new FakeBackend(), doctor);

    expect(screen.getByTestId("appointment-check-in")).toBeTruthy();
    expect(screen.queryByTestId("appointment-cancel")).toBeNull();
    expect(screen.queryByTestId("appointment-edit")).toBeNull();
  });

  it("offers nothing to a doctor on a colleague's appointment", () => {
    const doctor = sessionAs("doctor", { doctorId: "doc-2" });
    open(new FakeBackend(), doctor);

    expect(screen.queryByTestId("appointment-check-in")).toBeNull();
    expect(screen.queryByTestId("appointment-complete")).toBeNull();
  });
});

describe("dialog focus", () => {
  it("starts on the first field and gives focus back to what opened it", async () => {
    const opener = document.createElement("button");
    document.body.append(opener);
    opener.focus();
    const desk = new FakeBackend();
    const { unmount } = renderWith(AppointmentDialog, desk, {
      appointment: appointment(),
      session: SESSION,
      onclose: vi.fn(),
      onedit: vi.fn(),
    });

    await fireEvent.click(screen.getByTestId("appointment-cancel"));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId("cancel-reason")));
    unmount();
    expect(document.activeElement).toBe(opener);
    opener.remove();
  });
});
