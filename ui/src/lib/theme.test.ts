import { describe, expect, it } from "vitest";

import { effectiveTheme } from "./theme";

describe("effectiveTheme", () => {
  it("follows the computer when the choice is system", () => {
    expect(effectiveTheme("system", true)).toBe("dark");
    expect(effectiveTheme("system", false)).toBe("light");
  });

  it("keeps an explicit choice whatever the computer prefers", () => {
    expect(effectiveTheme("light", true)).toBe("light");
    expect(effectiveTheme("dark", false)).toBe("dark");
  });
});
