/**
 * Bandwidth over time. "Live 5 min" shows one point per second from the stream (a new point
 * every tick), after the history of the last five minutes; the other ranges read
 * `GET /metrics/history`, which the daemon downsamples to about one row per pixel.
 */
import type { HistoryBody, TickMessage } from "../../src/contract/types.js";
import { get, HttpError, SessionEnded } from "./api.js";
import { type TimeChart, timeChart } from "./chart.js";
import { h, panel, setText } from "./dom.js";
import { dateTime, rate } from "./format.js";
import { onUnitChange, setUnit, unit } from "./prefs.js";

type Range = "live" | "1h" | "24h" | "7d" | "custom";
const RANGES: { key: Range; label: string; seconds: number }[] = [
  { key: "live", label: "Live 5 min", seconds: 300 },
  { key: "1h", label: "1 h", seconds: 3600 },
  { key: "24h", label: "24 h", seconds: 86400 },
  { key: "7d", label: "7 d", seconds: 7 * 86400 },
  { key: "custom", label: "Custom", seconds: 0 },
];
const LIVE_SECONDS = 300;

export class BandwidthPanel {
  readonly el: HTMLElement;
  private readonly chart: TimeChart;
  private readonly note: HTMLElement;
  private readonly current: HTMLElement;
  private readonly buttons = new Map<Range, HTMLButtonElement>();
  private readonly unitButtons = new Map<string, HTMLButtonElement>();
  private readonly custom: HTMLFormElement;
  private readonly from: HTMLInputElement;
  private readonly to: HTMLInputElement;
  private range: Range = "live";
  /** Live columns: x (Unix s), bytes per second. */
  private xs: number[] = [];
  private ys: number[] = [];
  private request = 0;
  private readonly chartBox: HTMLElement;

  constructor() {
    const chartBox = h("div", { class: "chart", "data-testid": "bandwidth-chart" });
    this.chartBox = chartBox;
    this.note = h("p", { class: "note", "aria-live": "polite" });
    this.current = h("strong", { class: "big", "data-testid": "current-rate" }, "–");
    const rangeGroup = h("div", { class: "seg", role: "group", "aria-label": "Time range" });
    for (const r of RANGES) {
      const b = h(
        "button",
        { type: "button", "aria-pressed": String(r.key === "live"), "data-range": r.key },
        r.label,
      );
      b.addEventListener("click", () => this.select(r.key));
      this.buttons.set(r.key, b);
      rangeGroup.appendChild(b);
    }
    const unitGroup = h("div", { class: "seg", role: "group", "aria-label": "Unit" });
    for (const [u, label] of [
      ["bits", "bit/s"],
      ["bytes", "byte/s"],
    ] as const) {
      const b = h("button", { type: "button", "aria-pressed": String(unit() === u) }, label);
      b.addEventListener("click", () => setUnit(u));
      this.unitButtons.set(u, b);
      unitGroup.appendChild(b);
    }
    this.from = h("input", {
      type: "datetime-local",
      step: 1,
      "aria-label": "From",
      required: true,
    });
    this.to = h("input", { type: "datetime-local", step: 1, "aria-label": "To", required: true });
    this.custom = h(
      "form",
      { class: "custom", hidden: true },
      h("label", {}, "From ", this.from),
      h("label", {}, "To ", this.to),
      h("button", { type: "submit" }, "Show"),
    );
    this.custom.addEventListener("submit", (e) => {
      e.preventDefault();
      const start = new Date(this.from.value).getTime() / 1000;
      const end = new Date(this.to.value).getTime() / 1000;
      if (!(start < end)) {
        setText(this.note, "The start must be before the end.");
        return;
      }
      void this.loadHistory(start, end);
    });
    this.el = panel(
      "bandwidth",
      "Bandwidth",
      h(
        "div",
        { class: "toolbar" },
        rangeGroup,
        unitGroup,
        h("span", { class: "now" }, "Now ", this.current),
      ),
      this.custom,
      chartBox,
      this.note,
    );
    this.el.classList.add("wide");
    this.chart = timeChart(chartBox, [{ label: "Traffic", color: 0, fill: true }], (v) =>
      rate(v, unit()),
    );
    onUnitChange((u) => {
      for (const [k, b] of this.unitButtons) b.setAttribute("aria-pressed", String(k === u));
      this.chart.setFormat((v) => rate(v, u));
    });
    void this.backfill();
  }

  /** Draws the columns; the point count is written on the element for tests to read. */
  private draw(xs: number[], ys: number[]): void {
    this.chart.setData(xs, [ys]);
    this.chartBox.dataset.points = String(xs.length);
  }

  private select(r: Range): void {
    this.range = r;
    for (const [k, b] of this.buttons) b.setAttribute("aria-pressed", String(k === r));
    this.custom.hidden = r !== "custom";
    if (r === "live") {
      this.draw(this.xs, this.ys);
      this.liveNote();
      return;
    }
    if (r === "custom") {
      if (this.from.value === "") {
        const end = new Date();
        const start = new Date(end.getTime() - 3600_000);
        this.from.value = localInput(start);
        this.to.value = localInput(end);
      }
      this.from.focus();
      return;
    }
    const seconds = RANGES.find((x) => x.key === r)?.seconds ?? 3600;
    const end = Date.now() / 1000;
    void this.loadHistory(end - seconds, end);
  }

  private liveNote(): void {
    setText(this.note, "Live: one point per second from the stream; the last 5 minutes.");
  }

  /** Fills the live chart with the last five minutes of history before the stream's points. */
  private async backfill(): Promise<void> {
    const end = Date.now() / 1000;
    try {
      const body = await get<HistoryBody>(
        `/metrics/history?start=${Math.floor(end - LIVE_SECONDS)}&end=${Math.ceil(end)}&limit=300`,
      );
      const first = this.xs[0] ?? Number.POSITIVE_INFINITY;
      const older = body.windows.filter((w) => w.window_start < first);
      this.xs = [...older.map((w) => w.window_start), ...this.xs];
      this.ys = [...older.map((w) => w.bytes_per_second), ...this.ys];
      if (this.range === "live") this.draw(this.xs, this.ys);
    } catch (err: unknown) {
      if (err instanceof SessionEnded) return;
      // No history (no database): the live points alone.
    }
    if (this.range === "live") this.liveNote();
  }

  private async loadHistory(start: number, end: number): Promise<void> {
    const id = ++this.request;
    const limit = Math.max(60, Math.min(1220, Math.floor(this.chart.plot.width)));
    setText(this.note, "Loading…");
    try {
      const body = await get<HistoryBody>(
        `/metrics/history?start=${Math.floor(start)}&end=${Math.ceil(end)}&limit=${limit}`,
      );
      if (id !== this.request || this.range === "live") return;
      const xs = body.windows.map((w) => w.window_start);
      const ys = body.windows.map((w) => w.bytes_per_second);
      this.draw(xs, ys);
      setText(
        this.note,
        body.count === 0
          ? `No history between ${dateTime(start)} and ${dateTime(end)}.`
          : `${body.count} points from ${dateTime(start)} to ${dateTime(end)}, ${body.resolution_seconds} s each.`,
      );
    } catch (err: unknown) {
      if (err instanceof SessionEnded || id !== this.request) return;
      setText(
        this.note,
        err instanceof HttpError ? `History unavailable: ${err.message}` : "History unavailable.",
      );
    }
  }

  tick(msg: TickMessage): void {
    const s = msg.seconds;
    const xs = this.xs;
    const ys = this.ys;
    for (let i = 0; i < s.ts.length; i++) {
      const t = s.ts[i] as number;
      const last = xs.length > 0 ? (xs[xs.length - 1] as number) : -1;
      if (t > last) {
        xs.push(t);
        ys.push(s.bytes[i] as number);
      } else if (t === last) {
        ys[ys.length - 1] = s.bytes[i] as number;
      }
    }
    const newest = xs.length > 0 ? (xs[xs.length - 1] as number) : 0;
    let drop = 0;
    while (drop < xs.length && (xs[drop] as number) <= newest - LIVE_SECONDS) drop++;
    if (drop > 0) {
      xs.splice(0, drop);
      ys.splice(0, drop);
    }
    setText(this.current, rate(msg.metrics.bytes_per_second, unit()));
    if (this.range === "live" && s.ts.length > 0) this.draw(xs, ys);
  }
}

function localInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
