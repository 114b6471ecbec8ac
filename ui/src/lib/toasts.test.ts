import { afterEach, describe, expect, it, vi } from "vitest";

import { dismiss, notify, toasts } from "./toasts.svelte";

describe("toasts", () => {
  afterEach(() => {
    toasts.splice(0);
    vi.useRealTimers();
  });

  it("go away on their own, errors later than results", () => {
    vi.useFakeTimers();
    notify("success", { key: "settings.saved" });
    notify("error", { key: "error.offline" });

    vi.advanceTimersByTime(4000);
    expect(toasts.map((t) => t.kind)).toEqual(["error"]);
    vi.advanceTimersByTime(5000);
    expect(toasts).toEqual([]);
  });

  it("can be closed at once", () => {
    notify("info", { key: "sync.requested" });
    dismiss(toasts[0]!.id);
    expect(toasts).toEqual([]);
  });
});
