import { describe, expect, it } from "vitest";

import type { Backend } from "./backend";
import { BACKEND_UNAVAILABLE, BackendError } from "./backend-error";
import { loadShellStatus, statusText } from "./status";

function backendAnswering(appInfo: Backend["appInfo"]): Pick<Backend, "appInfo"> {
  return { appInfo };
}

describe("loadShellStatus", () => {
  it("is ready with the shell's app info", async () => {
    const status = await loadShellStatus(
      backendAnswering(() => Promise.resolve({ name: "Clinic Desk", version: "1.2.3" })),
    );

    expect(status).toEqual({ kind: "ready", info: { name: "Clinic Desk", version: "1.2.3" } });
    expect(statusText(status)).toBe("Version 1.2.3");
  });

  it("fails with the backend's error code", async () => {
    const status = await loadShellStatus(
      backendAnswering(() => Promise.reject(new BackendError("internal", "db locked"))),
    );

    expect(status.kind).toBe("failed");
    expect(statusText(status)).toBe("The desktop shell did not answer (internal).");
  });

  it("normalises a raw rejection", async () => {
    const status = await loadShellStatus(backendAnswering(() => Promise.reject(new Error("boom"))));

    expect(status).toMatchObject({ kind: "failed", error: { code: "backend_unknown", message: "boom" } });
  });
});

describe("statusText", () => {
  it("tells the user to open the desktop app when there is no shell", () => {
    const status = { kind: "failed", error: new BackendError(BACKEND_UNAVAILABLE, "no shell") } as const;

    expect(statusText(status)).toMatch(/desktop app/);
  });

  it("shows progress while loading", () => {
    expect(statusText({ kind: "loading" })).toBe("Connecting to the desktop shell…");
  });
});
