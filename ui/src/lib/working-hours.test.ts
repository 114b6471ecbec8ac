import { describe, expect, it } from "vitest";

import { hoursProblem } from "./working-hours";

describe("hoursProblem", () => {
  it("accepts a split day and several days", () => {
    expect(
      hoursProblem([
        { weekday: 1, starts: "09:00", ends: "13:00" },
        { weekday: 1, starts: "15:00", ends: "19:00" },
        { weekday: 2, starts: "09:00", ends: "13:00" },
      ]),
    ).toBeNull();
  });

  it("refuses an interval that ends before it starts", () => {
    expect(hoursProblem([{ weekday: 1, starts: "13:00", ends: "09:00" }])?.key).toBe("reason.invalid");
  });

  it("refuses overlapping intervals on one day", () => {
    expect(
      hoursProblem([
        { weekday: 3, starts: "12:00", ends: "16:00" },
        { weekday: 3, starts: "09:00", ends: "13:00" },
      ])?.key,
    ).toBe("reason.conflict");
  });
});
