// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";

import { toasts } from "../lib/toasts.svelte";
import { FakeBackend, sessionAs } from "../testing/fake-backend";
import { renderWith } from "../testing/render";
import Admin from "./Admin.svelte";

const admin = sessionAs("admin");

describe("admin", () => {
  afterEach(() => {
    toasts.splice(0);
  });

  it("edits a doctor's weekly hours, refusing overlaps before sending", async () => {
    const desk = new FakeBackend();
    desk.doctorList[0]!.hours = [{ weekday: 1, start: "09:00", end: "13:00" }];
    renderWith(Admin, desk, { session: admin });

    await fireEvent.click((await screen.findAllByTestId("admin-doctor"))[0]!);
    await fireEvent.click(screen.getAllByText(/Add hours/)[0]!);
    await fireEvent.click(screen.getByTestId("admin-hours-save"));
    expect(screen.getByTestId("admin-hours").textContent).toContain("clashes");
    expect(desk.called("setWorkingHours")).toEqual([]);

    const from = screen.getByLabelText("Monday From", { selector: "#h-1-1-from" }) as HTMLInputElement;
    await fireEvent.input(from, { target: { value: "15:00" } });
    const until = screen.getByLabelText("Monday Until", { selector: "#h-1-1-to" }) as HTMLInputElement;
    await fireEvent.input(until, { target: { value: "19:00" } });
    await fireEvent.click(screen.getByTestId("admin-hours-save"));

    await waitFor(() => expect(desk.called("setWorkingHours")).toHaveLength(1));
    expect(desk.called("setWorkingHours")[0]?.[0]).toEqual({
      doctorId: "doc-1",
      hours: [
        { weekday: 1, start: "09:00", end: "13:00" },
        { weekday: 1, start: "15:00", end: "19:00" },
      ],
    });
  });

  it("says a new doctor needs a connection when offline", async () => {
    const desk = new FakeBackend();
    desk.failNext("createDoctor", "offline", "cannot reach the server");
    renderWith(Admin, desk, { session: admin });

    await fireEvent.input(screen.getByTestId("admin-doctor-name"), { target: { value: "Dr. Ana Ruiz" } });
    await fireEvent.click(screen.getByTestId("admin-doctor-add"));

    await waitFor(() => expect(toasts.map((t) => t.message.key)).toEqual(["common.needs_connection"]));
  });

  it("adds a room and deactivates one", async () => {
    const desk = new FakeBackend();
    renderWith(Admin, desk, { session: admin });

    await fireEvent.click(screen.getByTestId("admin-tab-rooms"));
    await fireEvent.input(await screen.findByTestId("admin-room-name"), { target: { value: "Room 2" } });
    await fireEvent.click(screen.getByTestId("admin-room-add"));
    await waitFor(() => expect(screen.getAllByTestId("admin-room")).toHaveLength(2));

    await fireEvent.click(screen.getAllByText("Deactivate")[0]!);
    await waitFor(() => expect(desk.called("updateRoom")).toEqual([[{ id: "room-1", name: "Room 1", active: false }]]));
  });

  it("explains that staff needs a connection when offline", async () => {
    const desk = new FakeBackend();
    desk.failNext("staff", "offline", "cannot reach the server");
    renderWith(Admin, desk, { session: admin });

    await fireEvent.click(screen.getByTestId("admin-tab-staff"));

    expect((await screen.findByTestId("admin-staff-error")).textContent).toContain("needs a connection");
  });

  it("invites by email with a role", async () => {
    const desk = new FakeBackend();
    renderWith(Admin, desk, { session: admin });

    await fireEvent.click(screen.getByTestId("admin-tab-staff"));
    await fireEvent.input(await screen.findByTestId("admin-invite-email"), { target: { value: "new@clinic.example" } });
    await fireEvent.change(screen.getByTestId("admin-invite-role"), { target: { value: "doctor" } });
    await fireEvent.click(screen.getByTestId("admin-invite"));

    await waitFor(() => expect(desk.called("invite")).toEqual([[{ email: "new@clinic.example", role: "doctor" }]]));
  });

  it("saves the clinic's settings", async () => {
    const desk = new FakeBackend();
    renderWith(Admin, desk, { session: admin });

    await fireEvent.click(screen.getByTestId("admin-tab-clinic"));
    await screen.findByTestId("admin-clinic");
    await fireEvent.click(screen.getByTestId("admin-clinic-save"));

    await waitFor(() =>
      expect(desk.called("updateClinicSettings")).toEqual([[{ name: "Clínica Sol", timeZone: "Europe/Madrid", locale: "es" }]]),
    );
  });
});
