import { describe, expect, it } from "vitest";

import { BackendError } from "../backend-error";
import { errorField, errorMessage, isOffline } from "./errors";

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

  it("keeps the backend's text where it names what is wrong", () => {
    expect(errorMessage({ code: "invalid", message: "email is not an address" })).toEqual({
      key: "reason.invalid",
      params: { detail: "email is not an address" },
    });
  });

  it("falls back to the raw text for codes it does not know, and for raw rejections", () => {
    expect(errorMessage({ code: "brand_new", message: "new thing" })).toEqual({
      key: "error.unknown",
      params: { detail: "new thing" },
    });
    expect(errorMessage(new Error("boom"))).toEqual({ key: "error.unknown", params: { detail: "boom" } });
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
