import { describe, expect, it } from "vitest";

import { relativeTime } from "./relative-time";

const now = new Date("2026-03-30T10:00:00Z");
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

describe("relativeTime", () => {
  it.each([
    [5, "en", "now"],
    [-20, "en", "now"],
    [50, "en", "1 minute ago"],
    [120, "en", "2 minutes ago"],
    [3 * 3600 + 60, "en", "3 hours ago"],
    [86_400 * 2, "en", "2 days ago"],
    [120, "es", "hace 2 minutos"],
    [5, "es", "ahora"],
  ])("%i s ago in %s → %s", (seconds, locale, want) => {
    expect(relativeTime(ago(seconds), now, locale)).toBe(want);
  });
});
