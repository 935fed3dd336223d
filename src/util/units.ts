/** Readable numbers for terminal output. */

const BYTE_UNITS = ["B", "kB", "MB", "GB", "TB", "PB"];

/** Bytes in decimal units, as Wireshark's statistics show them: 1.5 MB = 1,500,000 bytes. */
export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1000 && u < BYTE_UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0
    ? `${Math.round(v)} B`
    : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${BYTE_UNITS[u]}`;
}

/** A rate in bits per second (the unit network people read: kb/s, Mb/s, Gb/s). */
export function formatBitRate(bytesPerSecond: number): string {
  const bits = bytesPerSecond * 8;
  const units = ["b/s", "kb/s", "Mb/s", "Gb/s", "Tb/s"];
  let v = bits;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[u]}`;
}

/** A count with thousands separators. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** A count with SI suffix: 1.23M. */
export function formatShort(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/** A Unix timestamp as an ISO-8601 UTC time with microseconds. */
export function formatTimestamp(ts: number): string {
  const ms = Math.floor(ts * 1000);
  const micro = Math.round((ts * 1e6) % 1000);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}${String(micro).padStart(3, "0")}Z`;
}

/** Pads each column to its widest cell; numbers (right-aligned) are told by `right`. */
export function table(rows: string[][], right: readonly boolean[] = []): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) widths[i] = Math.max(widths[i] ?? 0, row[i].length);
  }
  return rows
    .map((row) =>
      row
        .map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
