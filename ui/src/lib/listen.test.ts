import { describe, expect, it, vi } from "vitest";

import { listenWhileMounted } from "./listen";

describe("listenWhileMounted", () => {
  it("stops the listener when the component goes", async () => {
    const unsubscribe = vi.fn();
    const cleanup = listenWhileMounted(() => Promise.resolve(unsubscribe), vi.fn());
    await Promise.resolve();

    cleanup();

    expect(unsubscribe).toHaveBeenCalledOnce();
  });

  it("stops a listener that is ready only after the component has gone", async () => {
    const unsubscribe = vi.fn();
    let ready: (stop: () => void) => void = () => {};
    const cleanup = listenWhileMounted(() => new Promise((resolve) => (ready = resolve)), vi.fn());

    cleanup();
    ready(unsubscribe);
    await Promise.resolve();
    await Promise.resolve();

    expect(unsubscribe).toHaveBeenCalledOnce();
  });

  it("reports a listener that cannot start", async () => {
    const onError = vi.fn();
    listenWhileMounted(() => Promise.reject(new Error("no shell")), onError);
    await Promise.resolve();
    await Promise.resolve();

    expect(onError).toHaveBeenCalledWith(new Error("no shell"));
  });
});
