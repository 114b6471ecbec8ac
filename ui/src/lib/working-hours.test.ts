import { describe, expect, it } from "vitest";

import { hoursProblem } from "./working-hours";

describe("hoursProblem", () => {
  it("accepts a split day and several days", () => {
    expect(
      hoursProblem([
        { weekday: 1, start: "09:00", end: "13:00" },
        { weekday: 1, start: "15:00", end: "19:00" },
        { weekday: 2, start: "09:00", end: "13:00" },
      ]),
    ).toBeNull();
  });

  it("refuses an interval that ends before it starts", () => {
    expect(hoursProblem([{ weekday: 1, start: "13:00", end: "09:00" }])?.key).toBe("reason.invalid");
  });

  it("refuses overlapping intervals on one day", () => {
    expect(
      hoursProblem([
        { weekday: 3, start: "12:00", end: "16:00" },
        { weekday: 3, start: "09:00", end: "13:00" },
      ])?.key,
    ).toBe("reason.conflict");
  });
});
