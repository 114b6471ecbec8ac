// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";

import { app, DEFAULT_PREFERENCES } from "../lib/app.svelte";
import { toasts } from "../lib/toasts.svelte";
import { FakeBackend, SESSION } from "../testing/fake-backend";
import { renderWith } from "../testing/render";
import Settings from "./Settings.svelte";

describe("settings", () => {
  afterEach(() => {
    toasts.splice(0);
    app.settings = DEFAULT_PREFERENCES;
    app.session = null;
  });

  it("applies and keeps a language choice", async () => {
    const desk = new FakeBackend();
    renderWith(Settings, desk, { session: SESSION });

    await fireEvent.change(screen.getByTestId("settings-language"), { target: { value: "es" } });

    await waitFor(() => expect(desk.called("updateSettings")).toHaveLength(1));
    expect(app.settings.language).toBe("es");
    expect(desk.stored).toEqual({
      language: "es",
      theme: "system",
      notifications: { nextAppointment: true, leadMinutes: 10, conflicts: true },
    });
  });

  it("puts the choice back when it cannot be saved", async () => {
    const desk = new FakeBackend();
    desk.failNext("updateSettings", "local_store", "disk full");
    renderWith(Settings, desk, { session: SESSION });

    await fireEvent.click(screen.getByTestId("settings-theme-dark"));

    await waitFor(() => expect(toasts.map((t) => t.message.key)).toContain("error.local_store"));
    expect(app.settings.theme).toBe(DEFAULT_PREFERENCES.theme);
  });

  it("signs out, deleting the local copy only when asked, after a confirmation", async () => {
    const desk = new FakeBackend();
    app.session = SESSION;
    renderWith(Settings, desk, { session: SESSION });

    await fireEvent.click(screen.getByTestId("settings-sign-out"));
    expect(desk.called("signOut")).toEqual([]);
    await fireEvent.click(screen.getByTestId("sign-out-wipe"));
    await fireEvent.click(screen.getByTestId("sign-out-confirm"));

    await waitFor(() => expect(app.session).toBeNull());
    expect(desk.called("signOut")).toEqual([[{ wipeLocalData: true }]]);
  });
});
