// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";

import type { SignInOutcome, SignInRequest } from "../backend";
import { setLocale } from "../i18n/index.svelte";
import { app } from "../lib/app.svelte";
import { FakeBackend, SESSION } from "../testing/fake-backend";
import { renderWith } from "../testing/render";
import SignIn from "./SignIn.svelte";

async function fill(server: string, email: string, password: string) {
  await fireEvent.input(screen.getByTestId("signin-server"), { target: { value: server } });
  await fireEvent.input(screen.getByTestId("signin-email"), { target: { value: email } });
  await fireEvent.input(screen.getByTestId("signin-password"), { target: { value: password } });
  await fireEvent.click(screen.getByTestId("signin-submit"));
}

function answering(desk: FakeBackend, ...outcomes: SignInOutcome[]) {
  desk.signIn = async (request: SignInRequest) => {
    desk.calls.push({ method: "signIn", args: [request] });
    return outcomes.shift() ?? { kind: "signedIn", session: SESSION };
  };
}

describe("sign in", () => {
  afterEach(() => {
    app.session = null;
    app.tokenWarning = null;
  });

  it("starts from the server this desk was set up with", async () => {
    const desk = new FakeBackend();
    desk.suggestedServer = "http://127.0.0.1:8080";
    renderWith(SignIn, desk, {});

    await waitFor(() =>
      expect((screen.getByTestId("signin-server") as HTMLInputElement).value).toBe("http://127.0.0.1:8080"),
    );
  });

  it("signs in and keeps the token warning to show once", async () => {
    const desk = new FakeBackend();
    answering(desk, { kind: "signedIn", session: { ...SESSION, tokenWarning: "no keyring here" } });
    renderWith(SignIn, desk, {});

    await fill(" https://clinic.example ", "rita@clinic.example", "secret password");

    await waitFor(() => expect(app.session?.userName).toBe("Rita Reception"));
    expect(app.tokenWarning).toBe("no keyring here");
    expect(desk.called("signIn")).toEqual([
      [{ server: "https://clinic.example", email: "rita@clinic.example", password: "secret password", clinicId: null }],
    ]);
  });

  it("asks which clinic when the person works at several", async () => {
    const desk = new FakeBackend();
    answering(desk, {
      kind: "chooseClinic",
      clinics: [
        { clinicId: "a", clinicName: "Clínica Sol", role: "reception", isOwner: false },
        { clinicId: "b", clinicName: "Clínica Luna", role: "admin", isOwner: true },
      ],
    });
    renderWith(SignIn, desk, {});

    await fill("https://clinic.example", "rita@clinic.example", "secret password");
    const options = await screen.findAllByTestId("clinic-option");
    await fireEvent.click(options[1]!);
    await fireEvent.click(screen.getByTestId("clinic-open"));

    await waitFor(() => expect(app.session).toEqual(SESSION));
    expect(desk.called("signIn")[1]?.[0]).toMatchObject({ clinicId: "b" });
  });

  it.each([
    ["bad_credentials", "Wrong email or password."],
    ["offline", "The server cannot be reached"],
    ["rate_limited", "Too many attempts"],
  ])("explains %s", async (code, text) => {
    const desk = new FakeBackend();
    desk.failNext("signIn", code, "raw server text");
    renderWith(SignIn, desk, {});

    await fill("https://clinic.example", "rita@clinic.example", "wrong");

    expect((await screen.findByTestId("signin-error")).textContent).toContain(text);
    expect(app.session).toBeNull();
  });

  it("says how many minutes a throttled sign-in must wait, in the UI's language", async () => {
    const desk = new FakeBackend();
    desk.failNext("signIn", "rate_limited", "too many sign-in attempts", undefined, 840);
    setLocale("es");
    try {
      renderWith(SignIn, desk, {});
      await fill("https://clinic.example", "rita@clinic.example", "wrong");

      const error = await screen.findByTestId("signin-error");
      expect(error.textContent).toBe("Demasiados intentos; vuelva a intentarlo dentro de 14 minutos.");
    } finally {
      setLocale("en");
    }
  });

  it("lands on the agenda whatever screen the last session left open", async () => {
    app.screen = "settings";
    renderWith(SignIn, new FakeBackend(), {});

    await fill("https://clinic.example", "rita@clinic.example", "secret password");

    await waitFor(() => expect(app.session).not.toBeNull());
    expect(app.screen).toBe("agenda");
  });

  it("asks for a web address before trying to reach it", async () => {
    const desk = new FakeBackend();
    renderWith(SignIn, desk, {});

    await fill("clinic server", "rita@clinic.example", "secret password");

    expect(screen.getByText(/Enter the server address/)).toBeTruthy();
    expect(desk.called("signIn")).toEqual([]);
  });

  it("names the empty fields without calling the backend", async () => {
    const desk = new FakeBackend();
    renderWith(SignIn, desk, {});

    await fill("", "", "");

    expect(screen.getByText("Enter your email.")).toBeTruthy();
    expect(screen.getByTestId("signin-server").getAttribute("aria-invalid")).toBe("true");
    expect(desk.called("signIn")).toEqual([]);
  });
});
