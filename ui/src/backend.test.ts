import { beforeEach, describe, expect, it, vi } from "vitest";

const tauri = vi.hoisted(() => ({ invoke: vi.fn(), isTauri: vi.fn() }));
vi.mock("@tauri-apps/api/core", () => tauri);
const tauriEvents = vi.hoisted(() => ({ listen: vi.fn(), once: vi.fn(), emit: vi.fn(), emitTo: vi.fn() }));
vi.mock("@tauri-apps/api/event", () => tauriEvents);

import { tauriBackend } from "./backend";
import { commands } from "./bindings";
import { BACKEND_UNAVAILABLE, BackendError } from "./backend-error";

describe("tauriBackend", () => {
  beforeEach(() => {
    tauri.invoke.mockReset();
    tauri.isTauri.mockReset().mockReturnValue(true);
    tauriEvents.listen.mockReset();
  });

  it("asks the shell for app_info", async () => {
    tauri.invoke.mockResolvedValue({ name: "Clinic Desk", version: "0.1.0" });

    await expect(tauriBackend.appInfo()).resolves.toEqual({ name: "Clinic Desk", version: "0.1.0" });
    expect(tauri.invoke).toHaveBeenCalledWith("app_info");
  });

  it("sends a command's arguments under their camelCase names", async () => {
    tauri.invoke.mockResolvedValue({ timeZone: "Europe/Madrid" });
    const request = { date: "2026-03-30", days: 7, doctorIds: ["doc-1"] };

    await tauriBackend.agenda(request);

    expect(tauri.invoke).toHaveBeenCalledWith("agenda", { request });
  });

  it("turns a command's rejection into a BackendError, field included", async () => {
    tauri.invoke.mockRejectedValue({ code: "invalid", message: "02:30 does not exist", field: "start" });

    const error = await tauriBackend.checkIn("a").catch((e: unknown) => e);

    expect(error).toEqual(new BackendError("invalid", "02:30 does not exist", "start"));
    expect((error as BackendError).field).toBe("start");
  });

  it("fails with backend_unavailable outside the desktop shell, without calling invoke", async () => {
    tauri.isTauri.mockReturnValue(false);

    await expect(tauriBackend.appInfo()).rejects.toMatchObject({ code: BACKEND_UNAVAILABLE });
    await expect(tauriBackend.onSyncStatus(() => {})).rejects.toMatchObject({ code: BACKEND_UNAVAILABLE });
    expect(tauri.invoke).not.toHaveBeenCalled();
    expect(tauriEvents.listen).not.toHaveBeenCalled();
  });

  it("wraps every generated command", async () => {
    tauri.isTauri.mockReturnValue(false);
    const names = Object.keys(commands) as (keyof typeof commands)[];

    expect(names.length).toBeGreaterThan(30);
    for (const name of names) {
      const command = tauriBackend[name] as () => Promise<unknown>;
      await expect(command(), name).rejects.toMatchObject({ code: BACKEND_UNAVAILABLE });
    }
    expect(tauri.invoke).not.toHaveBeenCalled();
  });

  it("hands each sync status event's payload to the listener", async () => {
    const unlisten = vi.fn();
    tauriEvents.listen.mockResolvedValue(unlisten);
    const seen: unknown[] = [];

    const stop = await tauriBackend.onSyncStatus((status) => seen.push(status));
    const [name, handler] = tauriEvents.listen.mock.calls[0] as [string, (event: { payload: unknown }) => void];
    handler({ payload: { state: "offline", pending: 2 } });

    expect(name).toBe("sync-status-changed");
    expect(seen).toEqual([{ state: "offline", pending: 2 }]);
    expect(stop).toBe(unlisten);
  });
});
