import { describe, expect, it } from "vitest";

import { en } from "./en";
import { es } from "./es";
import { catalogues, systemLocale, translate } from "./index.svelte";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("message catalogues", () => {
  it("have exactly the same keys in every language", () => {
    for (const catalogue of Object.values(catalogues)) {
      expect(Object.keys(catalogue).sort()).toEqual(Object.keys(en).sort());
    }
  });

  it.each(Object.keys(en) as (keyof typeof en)[])("%s has the same placeholders in Spanish", (key) => {
    expect(placeholders(es[key])).toEqual(placeholders(en[key]));
  });

  it("leave no message empty", () => {
    for (const catalogue of Object.values(catalogues)) {
      for (const [key, text] of Object.entries(catalogue)) {
        expect(text.trim(), key).not.toBe("");
      }
    }
  });
});

describe("translate", () => {
  it("fills placeholders and keeps unknown ones visible", () => {
    expect(translate("en", "sync.pending", { count: 3 })).toBe("Pending: 3");
    expect(translate("es", "sync.pending", { count: 3 })).toBe("Pendientes: 3");
    expect(translate("en", "sync.pending")).toBe("Pending: {count}");
  });
});

describe("systemLocale", () => {
  it.each([
    [["es-ES", "en"], "es"],
    [["en-GB"], "en"],
    [["fr-FR", "es-MX"], "es"],
    [["de-DE"], "en"],
    [[], "en"],
  ])("%j → %s", (languages, want) => {
    expect(systemLocale(languages)).toBe(want);
  });
});
