import { describe, expect, it } from "vitest";

import { clinicNow } from "./clinic-time";

describe("clinicNow", () => {
  const instant = new Date("2026-03-29T22:30:00Z");

  it("reads the instant on the clinic's clock", () => {
    expect(clinicNow("Europe/Madrid", instant)).toBe("2026-03-30T00:30");
    expect(clinicNow("America/Mexico_City", instant)).toBe("2026-03-29T16:30");
    expect(clinicNow("UTC", instant)).toBe("2026-03-29T22:30");
  });

  it("writes midnight as 00, never 24", () => {
    expect(clinicNow("UTC", new Date("2026-03-30T00:05:00Z"))).toBe("2026-03-30T00:05");
  });
});
