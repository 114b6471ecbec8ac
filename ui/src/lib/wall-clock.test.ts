import { describe, expect, it } from "vitest";

import {
  addDays,
  addMinutes,
  isDay,
  isTime,
  minutesBetween,
  momentFromLocalFields,
  weekday,
  weekStart,
} from "./wall-clock";

describe("wall-clock arithmetic", () => {
  it("adds minutes across midnight and months", () => {
    expect(addMinutes("2026-03-31T23:45", 30)).toBe("2026-04-01T00:15");
  });

  it("ignores DST: the clinic's 29 March 2026 is an ordinary calendar day here", () => {
    expect(addMinutes("2026-03-29T01:30", 60)).toBe("2026-03-29T02:30");
    expect(minutesBetween("2026-03-29T00:00", "2026-03-30T00:00")).toBe(24 * 60);
  });

  it("steps days and finds the Monday of a week", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(weekday("2026-03-29")).toBe(7);
    expect(weekday("2026-03-30")).toBe(1);
    expect(weekStart("2026-04-05")).toBe("2026-03-30");
    expect(weekStart("2026-03-30")).toBe("2026-03-30");
  });

  it.each([
    ["2026-02-28", true],
    ["2026-02-29", false],
    ["2028-02-29", true],
    ["2026-13-01", false],
    ["30/03/2026", false],
  ])("isDay(%s) = %s", (value, want) => {
    expect(isDay(value)).toBe(want);
  });

  it.each([
    ["09:30", true],
    ["23:59", true],
    ["24:00", false],
    ["9:30", false],
    ["", false],
  ])("isTime(%s) = %s", (value, want) => {
    expect(isTime(value)).toBe(want);
  });

  it("reads a calendar callback's Date by its local fields", () => {
    expect(momentFromLocalFields(new Date(2026, 2, 30, 9, 5))).toBe("2026-03-30T09:05");
  });
});
