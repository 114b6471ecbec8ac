// @vitest-environment jsdom
import { screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";

import { app } from "../lib/app.svelte";
import { stubBrowser } from "../testing/dom";
import { FakeBackend, SESSION, sessionAs } from "../testing/fake-backend";
import { renderWith } from "../testing/render";
import Shell from "./Shell.svelte";

const nav = () => screen.getAllByRole("button").map((b) => b.dataset["testid"]).filter((id) => id?.startsWith("nav-"));

describe("shell", () => {
  beforeEach(() => {
    stubBrowser();
    // The agenda has its own tests; these look at the frame around the screens.
    app.screen = "settings";
    app.tokenWarning = null;
  });

  it("shows the desk its screens and the sync status", async () => {
    renderWith(Shell, new FakeBackend(), { session: SESSION });

    expect(nav()).toEqual(["nav-agenda", "nav-patients", "nav-conflicts", "nav-settings"]);
    expect(await screen.findByTestId("sync-state")).toBeTruthy();
  });

  it("adds Admin for admins", () => {
    renderWith(Shell, new FakeBackend(), { session: sessionAs("admin") });

    expect(nav()).toContain("nav-admin");
  });

  it("opens an external worker, who has no agenda, on a screen they have", async () => {
    app.screen = "agenda";
    renderWith(Shell, new FakeBackend(), { session: sessionAs("worker") });

    expect(nav()).toEqual(["nav-conflicts", "nav-settings"]);
    await waitFor(() => expect(app.screen).toBe("conflicts"));
  });

  it("says once where the token went when there was no keyring", async () => {
    app.tokenWarning = "The session token is in a file readable only by you.";
    renderWith(Shell, new FakeBackend(), { session: SESSION });

    const warning = screen.getByTestId("token-warning");
    expect(warning.textContent).toContain("kept in a file only you can read");
    // The shell's own (English) text, with the file's path, stays as small print.
    expect(warning.querySelector(".detail")?.textContent).toBe("The session token is in a file readable only by you.");
  });
});
