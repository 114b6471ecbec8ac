import { describe, expect, it } from "vitest";

import type { SyncStatusView } from "../backend";
import { awaitingFirstSync } from "./first-sync";

function status(state: SyncStatusView["state"], lastSyncAt: string | null = null): SyncStatusView {
  return { state, lastSyncAt, pending: 0, conflicts: 0, lastError: null, live: false };
}

describe("awaitingFirstSync", () => {
  it("waits while the first sync starts or downloads", () => {
    expect(awaitingFirstSync("not_synced", null)).toBe(true);
    expect(awaitingFirstSync("not_synced", status("starting"))).toBe(true);
    expect(awaitingFirstSync("not_synced", status("syncing"))).toBe(true);
  });

  it("shows the error when the desk cannot sync or has synced before", () => {
    expect(awaitingFirstSync("not_synced", status("offline"))).toBe(false);
    expect(awaitingFirstSync("not_synced", status("syncing", "2026-11-21T08:00:00Z"))).toBe(false);
  });

  it("is only about not_synced", () => {
    expect(awaitingFirstSync("internal", status("syncing"))).toBe(false);
    expect(awaitingFirstSync(null, status("syncing"))).toBe(false);
  });
});
