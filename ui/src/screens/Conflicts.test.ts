// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

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
      canPickAnotherSlot: true,
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

  it("shows each conflict with what was tried and the server's reason in words", async () => {
    renderWith(Conflicts, deskWithConflict(), { session: SESSION });

    const item = await screen.findByTestId("conflict-item");
    expect(item.dataset["code"]).toBe("slot_taken");
    expect(within(item).getByTestId("conflict-summary").textContent).toContain("Book Luis Martín");
    expect(within(item).getByTestId("conflict-reason").textContent).toContain("That time is already booked for this doctor.");
  });

  it("suggests the doctor's first free time and rebooks there", async () => {
    const desk = deskWithConflict();
    renderWith(Conflicts, desk, { session: SESSION });

    await fireEvent.click(await screen.findByTestId("conflict-pick-slot"));
    expect((screen.getByTestId("conflict-pick-date") as HTMLInputElement).value).toBe(DAY);
    await fireEvent.change(screen.getByTestId("conflict-pick-doctor"), { target: { value: "doc-1" } });

    const time = screen.getByTestId("conflict-pick-time") as HTMLInputElement;
    await waitFor(() => expect(time.value).toBe("09:30"));
    expect(screen.getByTestId("conflict-pick-suggestion").textContent).toContain("First free time that day");

    await fireEvent.click(screen.getByTestId("conflict-pick-confirm"));

    await waitFor(() => expect(screen.getByTestId("conflicts-empty")).toBeTruthy());
    expect(desk.called("resolveConflict")).toEqual([
      [{ id: "c-1", resolution: { kind: "pickAnotherSlot", start: `${DAY}T09:30`, minutes: 30, doctorId: "doc-1", roomId: null } }],
    ]);
    expect(toasts.map((t) => t.message.key)).toContain("conflicts.rebooked");
  });

  it("rebooks with the same doctor at a typed time", async () => {
    const desk = deskWithConflict();
    renderWith(Conflicts, desk, { session: SESSION });

    await fireEvent.click(await screen.findByTestId("conflict-pick-slot"));
    await fireEvent.click(screen.getByTestId("conflict-pick-confirm"));
    expect(screen.getByTestId("conflict-pick-suggestion").textContent).toContain("Enter a start time");
    expect(desk.called("resolveConflict")).toEqual([]);

    await fireEvent.input(screen.getByTestId("conflict-pick-time"), { target: { value: "11:00" } });
    await fireEvent.click(screen.getByTestId("conflict-pick-confirm"));

    await waitFor(() => expect(desk.called("resolveConflict")).toHaveLength(1));
    expect(desk.called("resolveConflict")[0]?.[0]).toMatchObject({
      resolution: { start: `${DAY}T11:00`, doctorId: null },
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
    desk.conflictList.push({ ...desk.conflictList[0]!, id: "c-2", action: "check_in", canPickAnotherSlot: false });
    renderWith(Conflicts, desk, { session: sessionAs("doctor", { doctorId: "doc-1" }) });

    await waitFor(() => expect(screen.getAllByTestId("conflict-item")).toHaveLength(2));
    expect(screen.queryByTestId("conflict-pick-slot")).toBeNull();
    expect(screen.getAllByTestId("conflict-discard")).toHaveLength(2);
  });
});
