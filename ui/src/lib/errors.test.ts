// @vitest-environment jsdom
import { describe, expect, it } from "vitest";

import { BackendError } from "../backend-error";
import { setLocale } from "../i18n/index.svelte";
import { errorField, errorMessage, isOffline, say } from "./errors";

describe("errorMessage", () => {
  it.each([
    ["slot_taken", "reason.slot_taken"],
    ["outside_working_hours", "reason.outside_working_hours"],
    ["stale", "reason.stale"],
    ["bad_credentials", "error.bad_credentials"],
    ["rate_limited", "error.rate_limited"],
    ["offline", "error.offline"],
    ["not_synced", "error.not_synced"],
    ["backend_unavailable", "error.backend_unavailable"],
  ])("%s → %s, whatever the backend's wording", (code, key) => {
    expect(errorMessage({ code, message: "anything at all" })).toEqual({ key });
  });

  it("words an invalid field in the UI's language and keeps the backend's text as detail", () => {
    const message = errorMessage({ code: "invalid", message: "email is not an address", field: "email" });
    expect(message).toEqual({ key: "reason.invalid_field", params: { field: "email" }, detail: "email is not an address" });
    expect(say(message)).toBe("Check “Email”: it is not valid.");
    setLocale("es");
    try {
      expect(say(message)).toBe("Revise «Correo electrónico»: no es válido.");
      expect(say(errorMessage({ code: "invalid", message: "m", field: "fullName" }))).toBe(
        "Revise «Nombre completo»: no es válido.",
      );
    } finally {
      setLocale("en");
    }
  });

  it("keeps the backend's text as detail where the code alone cannot say what is wrong", () => {
    expect(errorMessage({ code: "invalid", message: "starts after it ends" })).toEqual({
      key: "reason.invalid",
      detail: "starts after it ends",
    });
    expect(errorMessage({ code: "invalid", message: "odd", field: "somethingNew" })).toEqual({
      key: "reason.invalid",
      detail: "odd",
    });
    expect(errorMessage({ code: "conflict", message: "that email is invited already" })).toEqual({
      key: "reason.conflict",
      detail: "that email is invited already",
    });
  });

  it("says how long to wait when sign-in is throttled", () => {
    const wait = (retryAfterSecs: number) => errorMessage({ code: "rate_limited", message: "slow down", retryAfterSecs });
    expect(wait(840)).toEqual({ key: "error.rate_limited_wait", params: { minutes: 14 } });
    expect(wait(61)).toEqual({ key: "error.rate_limited_wait", params: { minutes: 2 } });
    expect(wait(30)).toEqual({ key: "error.rate_limited_wait_one" });
    expect(say(wait(840))).toBe("Too many attempts; try again in 14 minutes.");
    setLocale("es");
    try {
      expect(say(wait(840))).toBe("Demasiados intentos; vuelva a intentarlo dentro de 14 minutos.");
    } finally {
      setLocale("en");
    }
    expect(errorMessage({ code: "rate_limited", message: "slow down" })).toEqual({ key: "error.rate_limited" });
  });

  it("falls back to the raw text for codes it does not know, and for raw rejections", () => {
    expect(errorMessage({ code: "brand_new", message: "new thing" })).toEqual({ key: "error.unknown", detail: "new thing" });
    expect(errorMessage(new Error("boom"))).toEqual({ key: "error.unknown", detail: "boom" });
  });
});

describe("errorField and isOffline", () => {
  it("reads the field an error is about", () => {
    expect(errorField({ code: "invalid", message: "m", field: "email" })).toBe("email");
    expect(errorField(new BackendError("invalid", "m", "start"))).toBe("start");
    expect(errorField({ code: "invalid", message: "m" })).toBeNull();
    expect(errorField("text")).toBeNull();
  });

  it("tells an offline failure", () => {
    expect(isOffline(new BackendError("offline", "no route"))).toBe(true);
    expect(isOffline({ code: "slot_taken", message: "m" })).toBe(false);
  });
});
