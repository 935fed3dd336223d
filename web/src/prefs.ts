/** The reader's unit for rates (bits or bytes per second), remembered in localStorage. */
import type { RateUnit } from "./format.js";

const KEY = "netnet.unit";
const listeners: ((u: RateUnit) => void)[] = [];

export function unit(): RateUnit {
  return localStorage.getItem(KEY) === "bytes" ? "bytes" : "bits";
}

export function setUnit(u: RateUnit): void {
  localStorage.setItem(KEY, u);
  for (const l of listeners) l(u);
}

export function onUnitChange(l: (u: RateUnit) => void): () => void {
  listeners.push(l);
  return () => {
    const i = listeners.indexOf(l);
    if (i >= 0) listeners.splice(i, 1);
  };
}
