import { en, type MessageKey } from "./en";
import { es } from "./es";

export type { MessageKey };
export type Locale = "en" | "es";
export type Params = Record<string, string | number>;

export const catalogues: Record<Locale, Record<MessageKey, string>> = { en, es };

/** The language the computer asks for, falling back to English for anything we do not speak. */
export function systemLocale(languages: readonly string[]): Locale {
  for (const tag of languages) {
    const base = tag.toLowerCase().split("-")[0];
    if (base === "es" || base === "en") {
      return base;
    }
  }
  return "en";
}

export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  const template = catalogues[locale][key];
  if (!params) {
    return template;
  }
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

// One reactive locale for the whole window: components that call `t` re-render when it changes.
const current = $state<{ locale: Locale }>({ locale: "en" });

export function setLocale(locale: Locale): void {
  current.locale = locale;
  document.documentElement.lang = locale;
}

export function locale(): Locale {
  return current.locale;
}

export function t(key: MessageKey, params?: Params): string {
  return translate(current.locale, key, params);
}
