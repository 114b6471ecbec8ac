// @vitest-environment jsdom
import { describe, expect, it } from "vitest";

import { SHORTCUTS, shortcutFor, type KeyPress } from "./shortcuts";

const press = (key: string, over: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  target: document.body,
  ...over,
});

describe("shortcutFor", () => {
  it.each([
    ["t", "today"],
    ["T", "today"],
    ["ArrowLeft", "previous"],
    ["ArrowRight", "next"],
    ["d", "day"],
    ["w", "week"],
    ["n", "new_booking"],
    ["/", "search"],
    ["?", "help"],
  ])("%s → %s", (key, action) => {
    expect(shortcutFor(press(key))).toBe(action);
  });

  it("ignores keys with modifiers, so the system's own shortcuts keep working", () => {
    expect(shortcutFor(press("t", { ctrlKey: true }))).toBeNull();
    expect(shortcutFor(press("w", { metaKey: true }))).toBeNull();
    expect(shortcutFor(press("n", { altKey: true }))).toBeNull();
  });

  it("ignores keys typed into a field", () => {
    for (const tag of ["input", "textarea", "select"]) {
      expect(shortcutFor(press("t", { target: document.createElement(tag) }))).toBeNull();
    }
  });

  it("ignores keys it does not know", () => {
    expect(shortcutFor(press("x"))).toBeNull();
    expect(shortcutFor(press("Enter"))).toBeNull();
  });

  it("lists every action once in the help", () => {
    const actions = SHORTCUTS.map((s) => s.action);
    expect(new Set(actions).size).toBe(actions.length);
  });
});
