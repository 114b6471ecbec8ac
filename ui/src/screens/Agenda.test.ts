// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { app } from "../lib/app.svelte";
import { stubBrowser } from "../testing/dom";
import { BackendError } from "../backend-error";
import { appointment, doctor, FakeBackend, SESSION, sessionAs, TODAY } from "../testing/fake-backend";
import { renderWith } from "../testing/render";
import Agenda from "./Agenda.svelte";

function desk() {
  const fake = new FakeBackend();
  fake.appointments = [
    appointment({ id: "synced" }),
    appointment({ id: "queued", doctorId: "doc-2", pending: true, start: `${TODAY}T10:00`, end: `${TODAY}T10:30` }),
  ];
  return fake;
}

describe("agenda", () => {
  beforeEach(() => {
    stubBrowser();
    app.screen = "agenda";
    app.lastDoctor = null;
    // 09:00 in Madrid on the fake desk's today.
    vi.useFakeTimers({ now: new Date(`${TODAY}T07:00:00Z`), toFake: ["Date"] });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("opens on today with every doctor, and marks what is not synced", async () => {
    const fake = desk();
    renderWith(Agenda, fake, { session: SESSION });

    await waitFor(() => expect(screen.getAllByTestId("appointment")).toHaveLength(2));
    // First the roster alone, then the page of doctors it holds.
    expect(fake.called("agenda")[0]).toEqual([{ date: TODAY, days: 1, doctorIds: [] }]);
    expect(fake.called("agenda")[1]).toEqual([{ date: TODAY, days: 1, doctorIds: ["doc-1", "doc-2"] }]);
    const queued = screen.getAllByTestId("appointment").find((a) => a.dataset["id"] === "queued");
    expect(queued?.dataset["pending"]).toBe("true");
    expect(screen.getAllByTestId("pending-marker")).toHaveLength(1);
    expect(screen.getByTestId("agenda-calendar").dataset["firstDay"]).toBe(TODAY);
    // No third read: the clinic's today was already known from its zone.
    expect(fake.called("agenda")).toHaveLength(2);
  });

  it("before the first sync knows no zone: asks for the computer's day, then shows the clinic's today", async () => {
    vi.setSystemTime(new Date("2026-03-29T23:30:00Z"));
    const fake = desk();
    renderWith(Agenda, fake, { session: { ...SESSION, timeZone: null } });

    await waitFor(() => expect(screen.getByTestId("agenda-calendar").dataset["firstDay"]).toBe(TODAY));
    expect(fake.called("agenda").map(([request]) => (request as { date: string }).date)).toEqual(["2026-03-29", TODAY]);
  });

  it("follows the keyboard: week, next, today, day", async () => {
    const fake = desk();
    renderWith(Agenda, fake, { session: SESSION });
    await screen.findAllByTestId("appointment");

    await fireEvent.keyDown(window, { key: "w" });
    await waitFor(() => expect(fake.called("agenda").at(-1)).toEqual([{ date: "2026-03-30", days: 7, doctorIds: ["doc-1"] }]));
    await fireEvent.keyDown(window, { key: "ArrowRight" });
    await waitFor(() => expect(fake.called("agenda").at(-1)).toEqual([{ date: "2026-04-06", days: 7, doctorIds: ["doc-1"] }]));
    await fireEvent.keyDown(window, { key: "t" });
    await waitFor(() => expect(fake.called("agenda").at(-1)).toEqual([{ date: "2026-03-30", days: 7, doctorIds: ["doc-1"] }]));
    await fireEvent.keyDown(window, { key: "d" });
    await waitFor(() => expect(screen.getByTestId("agenda-calendar").dataset["view"]).toBe("day"));
    // The day view goes back to every doctor side by side.
    await waitFor(() => expect(fake.called("agenda").at(-1)).toEqual([{ date: TODAY, days: 1, doctorIds: ["doc-1", "doc-2"] }]));
  });

  it("books with any doctor while the agenda shows one", async () => {
    const fake = desk();
    renderWith(Agenda, fake, { session: SESSION });
    await screen.findAllByTestId("appointment");
    await fireEvent.change(screen.getByTestId("agenda-doctor"), { target: { value: "doc-2" } });
    await waitFor(() => expect(fake.called("agenda").at(-1)).toEqual([{ date: TODAY, days: 1, doctorIds: ["doc-2"] }]));

    await fireEvent.click(screen.getByTestId("agenda-new-booking"));

    const doctors = (await screen.findByTestId("booking-doctor")) as HTMLSelectElement;
    expect([...doctors.options].map((o) => o.value).filter((v) => v !== "")).toEqual(["doc-1", "doc-2"]);
    expect(doctors.value).toBe("doc-2");
  });

  it("shows a week one doctor at a time: the one last worked with, with pending sync in words", async () => {
    const fake = desk();
    renderWith(Agenda, fake, { session: SESSION });
    await screen.findAllByTestId("appointment");
    const select = screen.getByTestId("agenda-doctor") as HTMLSelectElement;
    await waitFor(() => expect(select.options).toHaveLength(3));

    // Looking at doc-2's day makes doc-2 the one this desk works with.
    await fireEvent.change(select, { target: { value: "doc-2" } });
    await fireEvent.change(select, { target: { value: "" } });
    await waitFor(() => expect(fake.called("agenda").at(-1)).toEqual([{ date: TODAY, days: 1, doctorIds: ["doc-1", "doc-2"] }]));
    await fireEvent.click(screen.getByTestId("agenda-view-week"));

    await waitFor(() => expect(fake.called("agenda").at(-1)).toEqual([{ date: "2026-03-30", days: 7, doctorIds: ["doc-2"] }]));
    expect(select.value).toBe("doc-2");
    // Every doctor stays in the filter, though the agenda now holds one.
    expect([...select.options].map((o) => o.value)).toEqual(["", "doc-1", "doc-2"]);
    const calendar = screen.getByTestId("agenda-calendar");
    await waitFor(() => expect(calendar.dataset["crowded"]).toBe("false"));
    expect(screen.getByTestId("pending-marker").textContent).toContain("Pending sync");

    // "All doctors" chosen in the week view is respected.
    await fireEvent.change(select, { target: { value: "" } });
    await waitFor(() => expect(fake.called("agenda").at(-1)).toEqual([{ date: "2026-03-30", days: 7, doctorIds: ["doc-1", "doc-2"] }]));
    await waitFor(() => expect(calendar.dataset["crowded"]).toBe("true"));
  });

  it("shows one doctor's column when chosen", async () => {
    const fake = desk();
    renderWith(Agenda, fake, { session: SESSION });
    await screen.findAllByTestId("appointment");

    await fireEvent.change(screen.getByTestId("agenda-doctor"), { target: { value: "doc-2" } });

    await waitFor(() => expect(fake.called("agenda").at(-1)).toEqual([{ date: TODAY, days: 1, doctorIds: ["doc-2"] }]));
    await waitFor(() => expect(screen.getAllByTestId("appointment").map((a) => a.dataset["id"])).toEqual(["queued"]));
  });

  it("shows a clinic with many doctors a page of them at a time", async () => {
    const fake = desk();
    fake.doctorList = Array.from({ length: 20 }, (_, i) => doctor(`doc-${i + 1}`, `Dr. Bench ${i + 1}`));
    renderWith(Agenda, fake, { session: SESSION });
    const first = Array.from({ length: 8 }, (_, i) => `doc-${i + 1}`);
    const second = Array.from({ length: 8 }, (_, i) => `doc-${i + 9}`);

    await waitFor(() => expect(fake.called("agenda").at(-1)).toEqual([{ date: TODAY, days: 1, doctorIds: first }]));
    expect(screen.getByTestId("agenda-doctors-range").textContent).toContain("Doctors 1–8 of 20");
    await fireEvent.click(screen.getByTestId("agenda-doctors-next"));

    await waitFor(() => expect(fake.called("agenda").at(-1)).toEqual([{ date: TODAY, days: 1, doctorIds: second }]));
    // The week picks one doctor; all of them again come 2 at a time.
    await fireEvent.keyDown(window, { key: "w" });
    await waitFor(() => expect(fake.called("agenda").at(-1)).toEqual([{ date: "2026-03-30", days: 7, doctorIds: ["doc-1"] }]));
    await fireEvent.change(screen.getByTestId("agenda-doctor"), { target: { value: "" } });
    await waitFor(() =>
      expect(fake.called("agenda").at(-1)).toEqual([{ date: "2026-03-30", days: 7, doctorIds: ["doc-1", "doc-2"] }]),
    );
    expect(screen.getByTestId("agenda-doctors-range").textContent).toContain("Doctors 1–2 of 20");
  });

  it("says the clinic's data is downloading while the first sync runs, not that it is missing", async () => {
    const fake = desk();
    fake.agenda = () => Promise.reject(new BackendError("not_synced", "not yet"));
    app.sync = { state: "syncing", lastSyncAt: null, pending: 0, conflicts: 0, lastError: null, live: true };
    renderWith(Agenda, fake, { session: SESSION });

    expect(await screen.findByTestId("agenda-first-sync")).toBeTruthy();
    expect(screen.queryByTestId("agenda-error")).toBeNull();
    app.sync = null;
  });

  it("opens the booking dialog from the button and the N key", async () => {
    renderWith(Agenda, desk(), { session: SESSION });
    await screen.findAllByTestId("appointment");

    await fireEvent.keyDown(window, { key: "n" });
    expect(await screen.findByTestId("booking-dialog")).toBeTruthy();
    expect((screen.getByTestId("booking-date") as HTMLInputElement).value).toBe(TODAY);
  });

  it("re-reads when the desk changes (a sync, another window)", async () => {
    const fake = desk();
    renderWith(Agenda, fake, { session: SESSION });
    await screen.findAllByTestId("appointment");

    fake.appointments.push(appointment({ id: "new", start: `${TODAY}T12:00`, end: `${TODAY}T12:30` }));
    fake.changed();

    await waitFor(() => expect(screen.getAllByTestId("appointment")).toHaveLength(3));
  });

  it("shows a doctor only their own agenda, with no booking", async () => {
    const fake = desk();
    renderWith(Agenda, fake, { session: sessionAs("doctor", { doctorId: "doc-1" }) });

    await waitFor(() => expect(screen.getAllByTestId("appointment").map((a) => a.dataset["id"])).toEqual(["synced"]));
    expect(fake.called("agenda")[0]).toEqual([{ date: TODAY, days: 1, doctorIds: ["doc-1"] }]);
    expect(screen.queryByTestId("agenda-doctor")).toBeNull();
    expect(screen.queryByTestId("agenda-new-booking")).toBeNull();
  });
});
