/** The agenda's keyboard shortcuts: one key, no modifier, never while typing. */
export type ShortcutAction = "today" | "previous" | "next" | "day" | "week" | "new_booking" | "search" | "help";

export const SHORTCUTS: { keys: string; action: ShortcutAction }[] = [
  { keys: "T", action: "today" },
  { keys: "←", action: "previous" },
  { keys: "→", action: "next" },
  { keys: "D", action: "day" },
  { keys: "W", action: "week" },
  { keys: "N", action: "new_booking" },
  { keys: "/", action: "search" },
  { keys: "?", action: "help" },
];

const BY_KEY: Record<string, ShortcutAction> = {
  t: "today",
  ArrowLeft: "previous",
  ArrowRight: "next",
  d: "day",
  w: "week",
  n: "new_booking",
  "/": "search",
  "?": "help",
};

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** The element the key went to. */
  target: EventTarget | null;
}

function isTyping(target: EventTarget | null): boolean {
  if (typeof HTMLElement === "undefined" || !(target instanceof HTMLElement)) {
    return false;
  }
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

export function shortcutFor(press: KeyPress): ShortcutAction | null {
  if (press.ctrlKey || press.metaKey || press.altKey || isTyping(press.target)) {
    return null;
  }
  const key = press.key.length === 1 ? press.key.toLowerCase() : press.key;
  return BY_KEY[key] ?? null;
}
