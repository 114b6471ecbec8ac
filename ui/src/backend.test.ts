import { beforeEach, describe, expect, it, vi } from "vitest";

const tauri = vi.hoisted(() => ({ invoke: vi.fn(), isTauri: vi.fn() }));
vi.mock("@tauri-apps/api/core", () => tauri);

import { tauriBackend } from "./backend";
import { BACKEND_UNAVAILABLE, BackendError } from "./backend-error";

describe("tauriBackend", () => {
  beforeEach(() => {
    tauri.invoke.mockReset();
    tauri.isTauri.mockReset().mockReturnValue(true);
  });

  it("asks the shell for app_info", async () => {
    tauri.invoke.mockResolvedValue({ name: "Clinic Desk", version: "0.1.0" });

    await expect(tauriBackend.appInfo()).resolves.toEqual({ name: "Clinic Desk", version: "0.1.0" });
    expect(tauri.invoke).toHaveBeenCalledWith("app_info", undefined);
  });

  it("turns a command's rejection into a BackendError", async () => {
    tauri.invoke.mockRejectedValue({ code: "not_signed_in", message: "Sign in first" });

    await expect(tauriBackend.appInfo()).rejects.toEqual(new BackendError("not_signed_in", "Sign in first"));
  });

  it("fails with backend_unavailable outside the desktop shell, without calling invoke", async () => {
    tauri.isTauri.mockReturnValue(false);

    await expect(tauriBackend.appInfo()).rejects.toMatchObject({ code: BACKEND_UNAVAILABLE });
    expect(tauri.invoke).not.toHaveBeenCalled();
  });
});
