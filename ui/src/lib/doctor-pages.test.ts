import { describe, expect, it } from "vitest";

import type { RosterDoctor } from "../backend";
import { DOCTORS_PER_PAGE, doctorPage, specialties } from "./doctor-pages";

function roster(count: number): RosterDoctor[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `d${i + 1}`,
    fullName: `Dr. Bench ${i + 1}`,
    specialties: [i % 5 === 0 ? "Cardiology" : "General practice"],
  }));
}

const ALL = { doctorId: "", specialty: "", page: 0 };

describe("doctorPage", () => {
  it("never shows more than a page of doctors side by side, even for 125", () => {
    const clinic = roster(125);

    const day = doctorPage(clinic, "day", ALL);
    const week = doctorPage(clinic, "week", ALL);

    expect(day.ids).toEqual(["d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8"]);
    expect(day).toMatchObject({ page: 0, pages: 16, first: 1, last: 8, total: 125 });
    expect(week.ids).toHaveLength(DOCTORS_PER_PAGE.week);
    expect(week.pages).toBe(63);
  });

  it("pages through the roster and clamps a page past the end to the last", () => {
    const clinic = roster(125);

    const second = doctorPage(clinic, "day", { ...ALL, page: 1 });
    const past = doctorPage(clinic, "day", { ...ALL, page: 99 });

    expect(second.ids[0]).toBe("d9");
    expect(second).toMatchObject({ first: 9, last: 16 });
    expect(past.ids).toEqual(["d121", "d122", "d123", "d124", "d125"]);
    expect(past).toMatchObject({ page: 15, first: 121, last: 125 });
  });

  it("filters by specialty before paging", () => {
    const cardiology = doctorPage(roster(125), "day", { ...ALL, specialty: "Cardiology" });

    expect(cardiology.total).toBe(25);
    expect(cardiology.ids).toEqual(["d1", "d6", "d11", "d16", "d21", "d26", "d31", "d36"]);
  });

  it("shows the one doctor chosen, alone", () => {
    expect(doctorPage(roster(125), "week", { ...ALL, doctorId: "d42", page: 7 })).toEqual({
      ids: ["d42"],
      page: 0,
      pages: 1,
      first: 1,
      last: 1,
      total: 1,
    });
  });

  it("shows nothing, on one page, for a clinic without doctors", () => {
    expect(doctorPage([], "day", ALL)).toEqual({ ids: [], page: 0, pages: 1, first: 0, last: 0, total: 0 });
  });
});

describe("specialties", () => {
  it("lists each specialty once, sorted", () => {
    expect(specialties(roster(6), "en")).toEqual(["Cardiology", "General practice"]);
  });
});
