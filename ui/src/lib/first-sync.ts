import type { SyncStatusView } from "../backend";

/**
 * Whether a `not_synced` answer only means the desk's first sync is still
 * downloading (show progress, keep waiting) rather than a desk that cannot
 * sync (show the error: connect and sync). Before the sync engine's first
 * status arrives, it is starting.
 */
export function awaitingFirstSync(code: string | null, sync: SyncStatusView | null): boolean {
  if (code !== "not_synced") {
    return false;
  }
  return sync === null || (sync.lastSyncAt === null && (sync.state === "starting" || sync.state === "syncing"));
}
