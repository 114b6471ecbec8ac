// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";

import { toasts } from "../lib/toasts.svelte";
import { appointment, FakeBackend, PROFILE } from "../testing/fake-backend";
import { renderWith } from "../testing/render";
import Conflicts from "./Conflicts.svelte";

const DAY = "2026-03-30";

function deskWithConflict() {
  const desk = new FakeBackend();
  desk.doctorsList[0]!.working = [{ start: `${DAY}T09:00`, end: `${DAY}T13:00` }];
  // Another desk's booking took 09:00–09:30 first; ours was refused.
  desk.appointments = [appointment({ id: "theirs", start: `${DAY}T09:00`, end: `${DAY}T09:30` })];
  desk.conflictList = [
    {
      id: "c-1",
      code: "slot_taken",
      message: "Dr. García is already booked then",
      appointment: appointment({ id: "ours", patient_name: "Luis Martín", pending: true }),
      created_at: "2026-03-30T07:00:00Z",
    },
  ];
  return desk;
}

describe("conflict inbox", () => {
  afterEach(() => {
    toasts.splice(0);
  });

  it("shows each conflict with the server's reason in words", async () => {
    renderWith(Conflicts, deskWithConflict(), { profile: PROFILE });

    const item = await screen.findByTestId("conflict-item");
    expect(item.dataset["code"]).toBe("slot_taken");
    expect(within(item).getByText("Luis Martín")).toBeTruthy();
    expect(within(item).getByTestId("conflict-reason").textContent).toContain("Someone else booked this time first.");
  });

  it("suggests the next free slot and rebooks there", async () => {
    const desk = deskWithConflict();
    renderWith(Conflicts, desk, { profile: PROFILE });

    await fireEvent.click(await screen.findByTestId("conflict-pick-slot"));
    const time = (await screen.findByTestId("conflict-pick-time")) as HTMLInputElement;
    expect(time.value).toBe("09:30");
    expect((screen.getByTestId("conflict-pick-date") as HTMLInputElement).value).toBe(DAY);

    await fireEvent.input(time, { target: { value: "10:00" } });
    await fireEvent.click(screen.getByTestId("conflict-pick-confirm"));

    await waitFor(() => expect(screen.getByTestId("conflicts-empty")).toBeTruthy());
    expect(desk.called("resolveConflict")).toEqual([
      ["c-1", { kind: "pick_another_slot", start: `${DAY}T10:00`, minutes: 30 }],
    ]);
    expect(toasts.map((t) => t.message.key)).toContain("conflicts.rebooked");
  });

  it("discards a conflict", async () => {
    const desk = deskWithConflict();
    renderWith(Conflicts, desk, { profile: PROFILE });

    await fireEvent.click(await screen.findByTestId("conflict-discard"));

    await waitFor(() => expect(screen.getByTestId("conflicts-empty")).toBeTruthy());
    expect(desk.called("resolveConflict")).toEqual([["c-1", { kind: "discard" }]]);
  });

  it("keeps the conflict and says why when a retry fails", async () => {
    const desk = deskWithConflict();
    desk.failNext("resolveConflict", "offline", "no route to host");
    renderWith(Conflicts, desk, { profile: PROFILE });

    await fireEvent.click(await screen.findByTestId("conflict-retry"));

    await waitFor(() => expect(toasts.map((t) => t.message.key)).toContain("error.offline"));
    expect(screen.getByTestId("conflict-item")).toBeTruthy();
  });

  it("offers no rebooking to a role that may not book", async () => {
    renderWith(Conflicts, deskWithConflict(), { profile: { ...PROFILE, role: "doctor", doctor_id: "doc-1" } });

    await screen.findByTestId("conflict-item");
    expect(screen.queryByTestId("conflict-pick-slot")).toBeNull();
    expect(screen.getByTestId("conflict-discard")).toBeTruthy();
  });
});
