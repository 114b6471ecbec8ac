import { describe, expect, it } from "vitest";

import { everyOf } from "./every";

type Light = "red" | "amber" | "green";

describe("everyOf", () => {
  it("lists every member in the order written", () => {
    expect(everyOf<Light>({ green: true, amber: true, red: true })).toEqual(["green", "amber", "red"]);
  });

  it("refuses, when type-checked, a list that leaves a member out or names a stranger", () => {
    // @ts-expect-error "green" is left out
    expect(everyOf<Light>({ red: true, amber: true })).toEqual(["red", "amber"]);
    // @ts-expect-error "blue" is not a member
    expect(everyOf<Light>({ red: true, amber: true, green: true, blue: true })).toHaveLength(4);
  });
});
