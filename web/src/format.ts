/** Readable numbers: decimal SI units as network tools show them (1 kB = 1000 B, 1 Mb/s = 10⁶ bit/s). */

const PREFIXES = ["", "k", "M", "G", "T", "P"] as const;

function scaled(value: number): { v: number; p: string } {
  let v = Math.abs(value);
  let i = 0;
  while (v >= 999.5 && i < PREFIXES.length - 1) {
    v /= 1000;
    i++;
  }
  return { v: value < 0 ? -v : v, p: PREFIXES[i] ?? "" };
}

function digits(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return "0";
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** 1234 -> "1.23 KB" (bytes). Whole bytes below 1000 keep no decimals: "512 B". */
export function bytes(n: number): string {
  if (Math.abs(n) < 1000) return `${Math.round(n)} B`;
  const { v, p } = scaled(n);
  return `${digits(v)} ${p.toUpperCase()}B`;
}

export type RateUnit = "bits" | "bytes";

/** A rate in bytes per second shown as bits ("1.50 Mb/s") or bytes ("187 KB/s"). */
export function rate(bytesPerSecond: number, unit: RateUnit): string {
  const n = unit === "bits" ? bytesPerSecond * 8 : bytesPerSecond;
  const suffix = unit === "bits" ? "b/s" : "B/s";
  if (Math.abs(n) < 1000) return `${digits(n)} ${suffix}`;
  const { v, p } = scaled(n);
  return `${digits(v)} ${unit === "bits" ? p : p.toUpperCase()}${suffix}`;
}

/** 12345 -> "12,345". */
export function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Seconds -> "3d 4h", "2h 5m", "4m 10s", "12s". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${r}s`;
  return `${r}s`;
}

/** Percent with one decimal: 12.345 -> "12.3 %". */
export function percent(p: number): string {
  return `${(Math.round(p * 10) / 10).toFixed(1)} %`;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Unix seconds -> local "YYYY-MM-DD HH:MM:SS". */
export function dateTime(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Unix seconds -> local "HH:MM:SS". */
export function time(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
