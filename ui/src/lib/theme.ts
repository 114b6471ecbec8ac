import type { Theme } from "../backend";

/** The theme to paint: the person's choice, or the computer's when they left it to the system. */
export function effectiveTheme(choice: Theme, systemPrefersDark: boolean): "light" | "dark" {
  if (choice === "system") {
    return systemPrefersDark ? "dark" : "light";
  }
  return choice;
}

/** Paints the theme and follows the computer's changes while the choice is "system". */
export function applyTheme(choice: Theme): () => void {
  const query = window.matchMedia("(prefers-color-scheme: dark)");
  const paint = () => {
    const theme = effectiveTheme(choice, query.matches);
    document.documentElement.dataset["theme"] = theme;
  };
  paint();
  query.addEventListener("change", paint);
  return () => query.removeEventListener("change", paint);
}
