/**
 * Dark and light themes. By default the page follows the system (`prefers-color-scheme`);
 * the header button cycles system -> light -> dark, remembered in localStorage. Charts draw
 * on canvas, so they read the theme's colours from CSS variables through `palette()`.
 */

export type ThemeChoice = "system" | "light" | "dark";
const KEY = "netnet.theme";
const media = window.matchMedia("(prefers-color-scheme: dark)");
const listeners: (() => void)[] = [];

export interface Palette {
  text: string;
  muted: string;
  grid: string;
  series: string[];
}

let cached: Palette | null = null;

export function choice(): ThemeChoice {
  const v = localStorage.getItem(KEY);
  return v === "light" || v === "dark" ? v : "system";
}

/** The theme in force: the choice, or the system's. */
export function effective(): "light" | "dark" {
  const c = choice();
  if (c !== "system") return c;
  return media.matches ? "dark" : "light";
}

function apply(): void {
  document.documentElement.dataset.theme = effective();
  cached = null;
  for (const l of listeners) l();
}

export function setChoice(c: ThemeChoice): void {
  if (c === "system") localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, c);
  apply();
}

export function nextChoice(): ThemeChoice {
  const order: ThemeChoice[] = ["system", "light", "dark"];
  return order[(order.indexOf(choice()) + 1) % order.length] ?? "system";
}

/** Calls `l` after each theme change; returns the function that stops it. */
export function onThemeChange(l: () => void): () => void {
  listeners.push(l);
  return () => {
    const i = listeners.indexOf(l);
    if (i >= 0) listeners.splice(i, 1);
  };
}

export function palette(): Palette {
  if (cached !== null) return cached;
  const css = getComputedStyle(document.documentElement);
  const v = (name: string) => css.getPropertyValue(name).trim();
  cached = {
    text: v("--text"),
    muted: v("--muted"),
    grid: v("--grid"),
    series: [1, 2, 3, 4, 5, 6, 7].map((i) => v(`--series-${i}`)),
  };
  return cached;
}

export function initTheme(): void {
  media.addEventListener("change", () => {
    if (choice() === "system") apply();
  });
  apply();
}
