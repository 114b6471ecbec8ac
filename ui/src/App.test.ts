// @vitest-environment jsdom
import { render, screen } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import App from "./App.svelte";
import { app } from "./lib/app.svelte";
import { stubBrowser } from "./testing/dom";
import { FakeBackend } from "./testing/fake-backend";

describe("app start", () => {
  beforeEach(() => {
    stubBrowser();
  });

  afterEach(() => {
    app.session = null;
  });

  it("opens on sign-in when no one is signed in on this computer", async () => {
    const desk = new FakeBackend();
    desk.session = null;
    render(App, { props: { backend: desk } });

    expect(await screen.findByTestId("signin-submit")).toBeTruthy();
  });

  it("opens straight into the agenda with a saved session, in the saved language", async () => {
    const desk = new FakeBackend();
    desk.stored = { ...desk.stored, language: "es" };
    render(App, { props: { backend: desk } });

    expect((await screen.findByTestId("nav-agenda")).getAttribute("aria-current")).toBe("page");
    expect(screen.getByTestId("nav-patients").textContent).toContain("Pacientes");
    expect(await screen.findByTestId("agenda-calendar")).toBeTruthy();
  });

  it("says so when the shell cannot tell who is signed in", async () => {
    const desk = new FakeBackend();
    desk.failNext("sessionState", "local_store", "cannot open the store");
    render(App, { props: { backend: desk } });

    expect((await screen.findByTestId("startup-error")).textContent).toContain("cannot open the store");
  });
});
