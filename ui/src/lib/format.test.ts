import { describe, expect, it } from "vitest";

import { formatDayRange, formatInstant, formatTime, formatTitleDay } from "./format";

describe("formatting the clinic's wall clock", () => {
  it("prints times as they are, whatever the computer's zone", () => {
    // Midnight-crossing and DST days stay literal: no zone is applied.
    expect(formatTime("2026-03-29T02:30", "en-GB")).toBe("02:30");
    expect(formatTime("2026-03-29T02:30", "es")).toBe("02:30");
  });

  it("titles a day and a week in the person's language", () => {
    expect(formatTitleDay("2026-12-23", "en")).toBe("Wednesday, Dec 23, 2026");
    expect(formatTitleDay("2026-12-23", "es")).toBe("miércoles, 23 de dic de 2026");
    // Intl sets the range dash between thin spaces.
    expect(formatDayRange("2026-03-30", "2026-04-05", "en")).toBe("Mar 30\u2009–\u2009Apr 5, 2026");
  });

  it("shows an instant on the clinic's clock", () => {
    expect(formatInstant("2026-03-30T07:05:00Z", "en-GB", "Europe/Madrid")).toBe("30 Mar 2026, 09:05");
  });
});
