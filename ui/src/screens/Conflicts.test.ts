// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { setLocale } from "../i18n/index.svelte";
import { toasts } from "../lib/toasts.svelte";
import { appointment, FakeBackend, SESSION, sessionAs } from "../testing/fake-backend";
import { renderWith } from "../testing/render";
import Conflicts from "./Conflicts.svelte";

const DAY = "2026-03-30";

function deskWithConflict() {
  const desk = new FakeBackend();
  desk.doctorList[0]!.hours = [{ weekday: 1, start: "09:00", end: "13:00" }];
  // Another desk's booking took 09:00–09:30 first; ours was refused.
  desk.appointments = [appointment({ id: "theirs", start: `${DAY}T09:00`, end: `${DAY}T09:30` })];
  desk.conflictList = [
    {
      id: "c-1",
      action: "book_appointment",
      code: "slot_taken",
      message: "Dr. García is already booked then",
      summary: "Book Luis Martín with Dr. Elena García on Mon 30 Mar 09:00–09:30",
      subjectName: "Luis Martín",
      requestedSlot: { doctorId: "doc-1", roomId: "room-1", start: `${DAY}T09:00`, end: `${DAY}T09:30`, minutes: 30 },
      appointmentSlot: null,
      appointmentId: "ours",
      queuedAt: `${DAY}T06:55:00Z`,
      rejectedAt: `${DAY}T07:00:00Z`,
    },
  ];
  return desk;
}

describe("conflict inbox", () => {
  beforeEach(() => {
    // The clinic's clock reads 30 March, 08:00 in Madrid.
    vi.useFakeTimers({ now: new Date(`${DAY}T06:00:00Z`), toFake: ["Date"] });
  });

  afterEach(() => {
    toasts.splice(0);
    vi.useRealTimers();
  });

  it("shows each conflict with what was tried and the server's reason, in the UI's language", async () => {
    renderWith(Conflicts, deskWithConflict(), { session: SESSION });

    const item = await screen.findByTestId("conflict-item");
    expect(item.dataset["code"]).toBe("slot_taken");
    const summary = within(item).getByTestId("conflict-summary");
    await waitFor(() => expect(summary.textContent).toContain("Book Luis Martín with Dr. Elena García, Mon, Mar 30, 2026, 09:00"));
    expect(within(item).getByTestId("conflict-reason").textContent).toContain("That time is already booked for this doctor.");

    setLocale("es");
    try {
      await waitFor(() => expect(summary.textContent).toContain("Reservar a Luis Martín con Dr. Elena García, lun, 30 mar 2026"));
      expect(within(item).getByTestId("conflict-reason").textContent).toContain("Esa hora ya está reservada para este médico.");
    } finally {
      setLocale("en");
    }
  });

  it("opens the picker on the refused doctor, room, day and length, with free times near the refused one", async () => {
    const desk = deskWithConflict();
    desk.conflictList[0]!.requestedSlot!.minutes = 40;
    renderWith(Conflicts, desk, { session: SESSION });

    await fireEvent.click(await screen.findByTestId("conflict-pick-slot"));
    expect((screen.getByTestId("conflict-pick-date") as HTMLInputElement).value).toBe(DAY);
    expect((screen.getByTestId("conflict-pick-minutes") as HTMLSelectElement).value).toBe("40");
    const doctor = screen.getByTestId("conflict-pick-doctor") as HTMLSelectElement;
    expect(doctor.value).toBe("");
    await waitFor(() => expect(doctor.selectedOptions[0]?.textContent?.trim()).toBe("Same doctor: Dr. Elena García"));
    const room = screen.getByTestId("conflict-pick-room") as HTMLSelectElement;
    expect(room.selectedOptions[0]?.textContent?.trim()).toBe("Same room: Room 1");

    // 09:00–09:30 is taken; 40 minutes fit back to back from 09:30.
    const time = screen.getByTestId("conflict-pick-time") as HTMLInputElement;
    await waitFor(() => expect(time.value).toBe("09:30"));
    expect(screen.getAllByTestId("conflict-pick-option").map((o) => o.dataset["start"])).toEqual([
      `${DAY}T09:30`,
      `${DAY}T10:10`,
      `${DAY}T10:50`,
      `${DAY}T11:30`,
    ]);
    expect(screen.getByTestId("conflict-pick-suggestion").textContent).toContain("Free times that day");

    await fireEvent.click(screen.getAllByTestId("conflict-pick-option")[1]!);
    expect(time.value).toBe("10:10");
    await fireEvent.click(screen.getByTestId("conflict-pick-confirm"));

    await waitFor(() => expect(screen.getByTestId("conflicts-empty")).toBeTruthy());
    expect(desk.called("resolveConflict")).toEqual([
      [{ id: "c-1", resolution: { kind: "pickAnotherSlot", start: `${DAY}T10:10`, minutes: 40, doctorId: null, roomId: null } }],
    ]);
    expect(toasts.map((t) => t.message.key)).toContain("conflicts.rebooked");
  });

  it("offers the next day with free time when the refused day is full", async () => {
    const desk = deskWithConflict();
    desk.doctorList[0]!.hours = [
      { weekday: 1, start: "09:00", end: "09:30" },
      { weekday: 3, start: "16:00", end: "18:00" },
    ];
    renderWith(Conflicts, desk, { session: SESSION });

    await fireEvent.click(await screen.findByTestId("conflict-pick-slot"));

    const time = screen.getByTestId("conflict-pick-time") as HTMLInputElement;
    await waitFor(() => expect(time.value).toBe("16:00"));
    expect((screen.getByTestId("conflict-pick-date") as HTMLInputElement).value).toBe("2026-04-01");
    expect(screen.getByTestId("conflict-pick-suggestion").textContent).toContain("Nothing free that day");
  });

  it("rebooks with another doctor and room at a typed time", async () => {
    const desk = deskWithConflict();
    desk.roomList.push({ id: "room-2", name: "Room 2", active: true });
    renderWith(Conflicts, desk, { session: SESSION });

    await fireEvent.click(await screen.findByTestId("conflict-pick-slot"));
    await fireEvent.change(screen.getByTestId("conflict-pick-doctor"), { target: { value: "doc-1" } });
    await fireEvent.change(screen.getByTestId("conflict-pick-room"), { target: { value: "room-2" } });
    await fireEvent.input(screen.getByTestId("conflict-pick-time"), { target: { value: "" } });
    await fireEvent.click(screen.getByTestId("conflict-pick-confirm"));
    expect(screen.getByTestId("conflict-pick-suggestion").textContent).toContain("Enter a start time");
    expect(desk.called("resolveConflict")).toEqual([]);

    await fireEvent.input(screen.getByTestId("conflict-pick-time"), { target: { value: "11:00" } });
    await fireEvent.click(screen.getByTestId("conflict-pick-confirm"));

    await waitFor(() => expect(desk.called("resolveConflict")).toHaveLength(1));
    expect(desk.called("resolveConflict")[0]?.[0]).toMatchObject({
      resolution: { start: `${DAY}T11:00`, doctorId: "doc-1", roomId: "room-2" },
    });
  });

  it("discards a conflict", async () => {
    const desk = deskWithConflict();
    renderWith(Conflicts, desk, { session: SESSION });

    await fireEvent.click(await screen.findByTestId("conflict-discard"));

    await waitFor(() => expect(screen.getByTestId("conflicts-empty")).toBeTruthy());
    expect(desk.called("resolveConflict")).toEqual([[{ id: "c-1", resolution: { kind: "discard" } }]]);
  });

  it("keeps the conflict and says why when a retry fails", async () => {
    const desk = deskWithConflict();
    desk.failNext("resolveConflict", "slot_taken", "still taken");
    renderWith(Conflicts, desk, { session: SESSION });

    await fireEvent.click(await screen.findByTestId("conflict-retry"));

    await waitFor(() => expect(toasts.map((t) => t.message.key)).toContain("reason.slot_taken"));
    expect(screen.getByTestId("conflict-item")).toBeTruthy();
  });

  it("offers no rebooking to a role that may not book, nor for a refused check-in", async () => {
    const desk = deskWithConflict();
    desk.conflictList.push({ ...desk.conflictList[0]!, id: "c-2", action: "check_in", requestedSlot: null });
    renderWith(Conflicts, desk, { session: sessionAs("doctor", { doctorId: "doc-1" }) });

    await waitFor(() => expect(screen.getAllByTestId("conflict-item")).toHaveLength(2));
    expect(screen.queryByTestId("conflict-pick-slot")).toBeNull();
    expect(screen.getAllByTestId("conflict-discard")).toHaveLength(2);
  });
});
