// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";

import { app } from "../lib/app.svelte";
import { toasts } from "../lib/toasts.svelte";
import { FakeBackend } from "../testing/fake-backend";
import { renderWith } from "../testing/render";
import SyncStatus from "./SyncStatus.svelte";

describe("sync status", () => {
  afterEach(() => {
    toasts.splice(0);
    vi.useRealTimers();
  });

  it("shows state, last sync, pending and conflicts in words", () => {
    vi.useFakeTimers({ now: new Date("2026-03-30T10:00:00Z"), toFake: ["Date"] });
    renderWith(SyncStatus, new FakeBackend(), {
      status: { state: "offline", lastSyncAt: "2026-03-30T09:58:00Z", pending: 2, conflicts: 1, lastError: null, live: false },
    });

    expect(screen.getByTestId("sync-state").dataset["state"]).toBe("offline");
    expect(screen.getByTestId("sync-state").textContent).toContain("Offline");
    expect(screen.getByTestId("sync-last").textContent).toContain("Synced 2 minutes ago");
    expect(screen.getByTestId("sync-pending").dataset["count"]).toBe("2");
    expect(screen.getByTestId("sync-conflicts").textContent).toContain("Conflicts: 1");
  });

  it("links to the conflict inbox when there are conflicts", async () => {
    renderWith(SyncStatus, new FakeBackend(), {
      status: { state: "online", lastSyncAt: null, pending: 0, conflicts: 3, lastError: null, live: true },
    });

    expect(screen.getByTestId("sync-last").textContent).toContain("Not synced yet");
    await fireEvent.click(screen.getByTestId("sync-conflicts"));
    expect(app.screen).toBe("conflicts");
  });

  it("says why syncing stopped when the server refuses the session", () => {
    renderWith(SyncStatus, new FakeBackend(), {
      status: {
        state: "signedOut",
        lastSyncAt: null,
        pending: 1,
        conflicts: 0,
        lastError: { code: "unauthenticated", message: "session revoked" },
        live: false,
      },
    });

    expect(screen.getByTestId("sync-state").textContent).toContain("sign in again");
    expect(screen.getByTestId("sync-error").textContent).toContain("Your session has ended.");
  });

  it("asks for a sync and says so, or says why not", async () => {
    const desk = new FakeBackend();
    renderWith(SyncStatus, desk, { status: null });

    await fireEvent.click(screen.getByTestId("sync-now"));
    await waitFor(() => expect(toasts.map((t) => t.message.key)).toEqual(["sync.requested"]));
    expect(desk.called("syncNow")).toHaveLength(1);

    desk.failNext("syncNow", "not_signed_in", "sign in");
    await fireEvent.click(screen.getByTestId("sync-now"));
    await waitFor(() => expect(toasts.map((t) => t.message.key)).toContain("error.not_signed_in"));
  });
});
