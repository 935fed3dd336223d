/** The dashboard's panels fed by the stream: each builds its elements once and updates them per tick. */
import type {
  Alert,
  AlertsBody,
  ControlBody,
  PacketSizesBody,
  PortStat,
  SystemHealthBody,
  Talker,
  TickMessage,
} from "../../src/contract/types.js";
import { get, HttpError, post, SessionEnded } from "./api.js";
import { h, hostHref, panel, setText, svg } from "./dom.js";
import { bytes, count, dateTime, duration, percent, rate } from "./format.js";
import { unit } from "./prefs.js";

/** A table whose rows are made once and refilled in place. */
class RowTable {
  readonly el: HTMLTableElement;
  private readonly body: HTMLTableSectionElement;
  private readonly rows: HTMLTableCellElement[][] = [];
  private readonly links: (HTMLAnchorElement | null)[] = [];

  constructor(
    caption: string,
    headers: string[],
    /** Column whose text is an address linked to its host page. */
    private readonly linkColumn: number | null,
    private readonly numeric: readonly number[],
  ) {
    this.body = h("tbody");
    this.el = h(
      "table",
      { class: "grid" },
      h("caption", { class: "sr-only" }, caption),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...headers.map((t, i) =>
            h("th", { scope: "col", class: numeric.includes(i) ? "num" : "" }, t),
          ),
        ),
      ),
      this.body,
    );
  }

  fill(rows: string[][]): void {
    while (this.rows.length < rows.length) {
      const tr = h("tr");
      const cells: HTMLTableCellElement[] = [];
      const n = rows[0]?.length ?? 0;
      let link: HTMLAnchorElement | null = null;
      for (let i = 0; i < n; i++) {
        const td = h("td", { class: this.numeric.includes(i) ? "num" : "" });
        if (i === this.linkColumn) {
          link = h("a", { class: "ip" });
          td.appendChild(link);
        }
        cells.push(td);
        tr.appendChild(td);
      }
      this.rows.push(cells);
      this.links.push(link);
      this.body.appendChild(tr);
    }
    for (let r = 0; r < this.rows.length; r++) {
      const cells = this.rows[r] as HTMLTableCellElement[];
      const data = rows[r];
      const tr = cells[0]?.parentElement;
      if (tr !== null && tr !== undefined) tr.hidden = data === undefined;
      if (data === undefined) continue;
      for (let c = 0; c < cells.length; c++) {
        const text = data[c] ?? "";
        const link = c === this.linkColumn ? this.links[r] : null;
        if (link !== null && link !== undefined) {
          setText(link, text);
          const href = hostHref(text);
          if (link.getAttribute("href") !== href) link.setAttribute("href", href);
        } else {
          setText(cells[c] as HTMLTableCellElement, text);
        }
      }
    }
  }
}

export class SummaryPanel {
  readonly el: HTMLElement;
  private readonly values: Record<string, HTMLElement> = {};

  constructor() {
    const item = (key: string, label: string) => {
      const v = h("dd", { "data-testid": `summary-${key}` }, "–");
      this.values[key] = v;
      return h("div", {}, h("dt", {}, label), v);
    };
    this.el = panel(
      "summary",
      "Totals",
      h(
        "dl",
        { class: "stats" },
        item("bytes", "Bytes"),
        item("packets", "Packets"),
        item("rate", "Rate"),
        item("pps", "Packets/s"),
        item("flows", "Active flows"),
      ),
    );
  }

  tick(msg: TickMessage): void {
    const m = msg.metrics;
    const v = this.values;
    setText(v.bytes as HTMLElement, bytes(m.total_bytes));
    setText(v.packets as HTMLElement, count(m.total_packets));
    setText(v.rate as HTMLElement, rate(m.bytes_per_second, unit()));
    setText(v.pps as HTMLElement, count(m.packets_per_second));
    setText(v.flows as HTMLElement, count(m.active_flow_count));
  }
}

/** Bytes per protocol since the start, as a donut and a table. */
export class ProtocolPanel {
  readonly el: HTMLElement;
  private readonly ring: SVGGElement;
  private readonly table = new RowTable(
    "Bytes per protocol",
    ["", "Protocol", "Bytes", "Share"],
    null,
    [2, 3],
  );
  private readonly total: SVGTextElement;
  private last = "";

  constructor() {
    const box = svg("svg", { viewBox: "0 0 120 120", class: "donut", role: "img" });
    box.setAttribute("aria-label", "Protocol breakdown");
    this.ring = svg("g", { transform: "rotate(-90 60 60)" });
    this.total = svg("text", { x: 60, y: 64, "text-anchor": "middle", class: "donut-total" });
    box.append(
      svg("circle", {
        cx: 60,
        cy: 60,
        r: 45,
        class: "donut-track",
        fill: "none",
        "stroke-width": 18,
      }),
      this.ring,
      this.total,
    );
    this.el = panel(
      "protocols",
      "Protocols",
      h("div", { class: "donut-wrap" }, box, this.table.el),
    );
  }

  tick(msg: TickMessage): void {
    const entries = Object.entries(msg.metrics.protocol_breakdown)
      .filter(([, b]) => b > 0)
      .sort((a, b) => b[1] - a[1]);
    const key = entries.map(([n, b]) => `${n}:${b}`).join(",");
    if (key === this.last) return;
    this.last = key;
    const sum = entries.reduce((s, [, b]) => s + b, 0);
    const circumference = 2 * Math.PI * 45;
    this.ring.replaceChildren();
    let offset = 0;
    entries.forEach(([name, b], i) => {
      const len = sum > 0 ? (b / sum) * circumference : 0;
      const c = svg("circle", {
        cx: 60,
        cy: 60,
        r: 45,
        fill: "none",
        "stroke-width": 18,
        class: `s${i % 7}`,
        "stroke-dasharray": `${len} ${circumference - len}`,
        "stroke-dashoffset": -offset,
      });
      const title = svg("title");
      title.textContent = `${name}: ${bytes(b)}`;
      c.appendChild(title);
      this.ring.appendChild(c);
      offset += len;
    });
    this.total.textContent = bytes(sum);
    this.table.fill(
      entries.map(([name, b]) => ["", name, bytes(b), percent(sum > 0 ? (b / sum) * 100 : 0)]),
    );
    // The first column is the colour key.
    this.table.el.querySelectorAll("tbody tr").forEach((tr, i) => {
      const cell = tr.firstElementChild;
      if (cell !== null) cell.className = `key s${i % 7}`;
    });
  }
}

const SIZE_CLASSES: { key: keyof PacketSizesBody; label: string }[] = [
  { key: "tiny", label: "0–64 B" },
  { key: "small", label: "65–128 B" },
  { key: "medium", label: "129–512 B" },
  { key: "large", label: "513–1024 B" },
  { key: "jumbo", label: "1025 B +" },
];

export class PacketSizePanel {
  readonly el: HTMLElement;
  private readonly bars: { fill: HTMLElement; value: HTMLElement }[] = [];

  constructor() {
    const list = h("ul", { class: "bars" });
    for (const c of SIZE_CLASSES) {
      const fill = h("span", { class: "bar-fill" });
      const value = h("span", { class: "num", "data-testid": `size-${c.key}` }, "–");
      list.appendChild(
        h(
          "li",
          {},
          h("span", { class: "bar-label" }, c.label),
          h("span", { class: "bar" }, fill),
          value,
        ),
      );
      this.bars.push({ fill, value });
    }
    this.el = panel("packet-sizes", "Packet sizes", list);
  }

  tick(msg: TickMessage): void {
    const z = msg.packet_sizes;
    const total = SIZE_CLASSES.reduce((s, c) => s + z[c.key], 0);
    SIZE_CLASSES.forEach((c, i) => {
      const bar = this.bars[i];
      if (bar === undefined) return;
      const n = z[c.key];
      const share = total > 0 ? (n / total) * 100 : 0;
      setText(bar.value, `${count(n)} (${percent(share)})`);
      const w = `${share.toFixed(1)}%`;
      if (bar.fill.style.width !== w) bar.fill.style.width = w;
    });
  }
}

export class TalkersPanel {
  readonly el: HTMLElement;
  private readonly table: RowTable;

  constructor(
    id: string,
    title: string,
    private readonly pick: (m: TickMessage) => Talker[],
  ) {
    this.table = new RowTable(title, ["Address", "Bytes", "Packets"], 0, [1, 2]);
    this.el = panel(id, title, this.table.el);
  }

  tick(msg: TickMessage): void {
    this.table.fill(this.pick(msg).map((t) => [t.ip, bytes(t.bytes), count(t.packets)]));
  }
}

export class PortsPanel {
  readonly el: HTMLElement;
  private readonly table = new RowTable(
    "Server ports",
    ["Port", "Service", "Bytes", "Connections"],
    null,
    [0, 2, 3],
  );

  constructor() {
    this.el = panel("ports", "Ports", this.table.el);
  }

  tick(msg: TickMessage): void {
    this.table.fill(
      msg.ports.map((p: PortStat) => [
        String(p.port),
        p.service === "" ? "–" : p.service,
        bytes(p.bytes),
        count(p.connections),
      ]),
    );
  }
}

export class HealthPanel {
  readonly el: HTMLElement;
  private readonly values: Record<string, HTMLElement> = {};
  private readonly start: HTMLButtonElement;
  private readonly stop: HTMLButtonElement;
  private readonly message: HTMLElement;
  private readonly meter: HTMLElement;
  private busy = false;
  private running: boolean | null = null;

  constructor() {
    const item = (key: string, label: string) => {
      const v = h("dd", { "data-testid": `health-${key}` }, "–");
      this.values[key] = v;
      return h("div", {}, h("dt", {}, label), v);
    };
    this.meter = h("span", { class: "bar-fill" });
    this.start = h("button", { type: "button", class: "primary" }, "Start capture");
    this.stop = h("button", { type: "button" }, "Stop capture");
    this.message = h("p", { class: "note", role: "status" });
    this.start.addEventListener("click", () => void this.control("start"));
    this.stop.addEventListener("click", () => void this.control("stop"));
    this.el = panel(
      "health",
      "System health",
      h(
        "dl",
        { class: "stats" },
        item("running", "Capture"),
        item("uptime", "Uptime"),
        item("received", "Packets received"),
        item("dropped", "Packets dropped"),
        item("drop-rate", "Drop rate"),
        item("interface", "Interface"),
        item("buffer", "Buffer use"),
      ),
      h("span", { class: "bar", "aria-hidden": "true" }, this.meter),
      h("div", { class: "actions" }, this.start, this.stop),
      this.message,
    );
  }

  private async control(action: "start" | "stop"): Promise<void> {
    this.busy = true;
    this.start.disabled = true;
    this.stop.disabled = true;
    setText(this.message, action === "start" ? "Starting capture…" : "Stopping capture…");
    try {
      const r = await post<ControlBody>(`/control/${action}`);
      setText(
        this.message,
        r.status === "started" ? `Capture started on ${r.interface ?? "?"}.` : "Capture stopped.",
      );
      this.running = r.status === "started";
    } catch (err: unknown) {
      if (err instanceof SessionEnded) return;
      setText(
        this.message,
        err instanceof HttpError && err.status === 429
          ? `Too many requests: wait ${err.retryAfter ?? 2} s.`
          : `Could not ${action} capture: ${err instanceof Error ? err.message : String(err)}`,
      );
    } finally {
      this.busy = false;
      this.buttons();
    }
  }

  private buttons(): void {
    if (this.busy) return;
    this.start.disabled = this.running === true;
    this.stop.disabled = this.running === false;
  }

  tick(msg: TickMessage): void {
    const s: SystemHealthBody = msg.health;
    const v = this.values as Record<string, HTMLElement>;
    this.running = s.capture_running;
    const run = v.running as HTMLElement;
    setText(run, s.capture_running ? "Running" : "Stopped");
    run.className = s.capture_running ? "ok" : "warn";
    setText(v.uptime as HTMLElement, duration(s.uptime_seconds));
    setText(v.received as HTMLElement, count(s.packets_received));
    setText(v.dropped as HTMLElement, count(s.packets_dropped));
    setText(v["drop-rate"] as HTMLElement, percent(s.drop_rate));
    const names = s.interfaces.length > 0 ? s.interfaces : [s.interface];
    const iface = v.interface as HTMLElement;
    // A replayed file is named by its base name; the full path is in the tooltip.
    setText(
      iface,
      s.capture_source === "file"
        ? `${names.map((n) => n.slice(n.lastIndexOf("/") + 1)).join(", ")} (file)`
        : names.join(", "),
    );
    if (iface.title !== names.join(", ")) iface.title = names.join(", ");
    setText(v.buffer as HTMLElement, percent(s.buffer_usage_percent));
    const w = `${Math.min(100, s.buffer_usage_percent).toFixed(1)}%`;
    if (this.meter.style.width !== w) this.meter.style.width = w;
    this.buttons();
    if (s.capture_error !== null) setText(this.message, `Capture error: ${s.capture_error}`);
  }
}

const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 } as const;

function alertKey(a: Alert): string {
  return `${a.rule}|${a.kind}|${a.subject}|${a.first_ts}`;
}

/** The daemon's alerts, newest first: loaded once, then kept current by the stream. */
export class AlertsPanel {
  readonly el: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly note: HTMLElement;
  /** By identity: the stream sends an alert before it has a stored id. */
  private readonly alerts = new Map<string, Alert>();
  private supported: boolean | null = null;

  constructor() {
    this.list = h("ol", { class: "alerts", "data-testid": "alerts" });
    this.note = h("p", { class: "note" }, "Loading alerts…");
    this.el = panel("alerts", "Alerts", this.list, this.note);
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const body = await get<AlertsBody>("/api/alerts?limit=50");
      this.supported = true;
      for (const a of body.alerts) this.alerts.set(alertKey(a), a);
      this.render();
    } catch (err: unknown) {
      if (err instanceof SessionEnded) return;
      this.supported = false;
      setText(
        this.note,
        err instanceof HttpError && err.status === 404
          ? "This daemon does not report alerts (no /api/alerts)."
          : "Alerts could not be loaded.",
      );
    }
  }

  tick(msg: TickMessage): void {
    if (msg.alerts === undefined || msg.alerts.length === 0) return;
    for (const a of msg.alerts) this.alerts.set(alertKey(a), a);
    this.supported = true;
    this.render();
  }

  private render(): void {
    const sorted = [...this.alerts.values()].sort(
      (a, b) => b.last_ts - a.last_ts || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
    );
    for (const a of sorted.slice(50)) this.alerts.delete(alertKey(a));
    this.list.replaceChildren(
      ...sorted
        .slice(0, 50)
        .map((a) =>
          h(
            "li",
            { class: `alert ${a.severity}` },
            h("span", { class: `sev ${a.severity}` }, a.severity),
            h("span", { class: "msg" }, a.message),
            h(
              "span",
              { class: "meta" },
              `${dateTime(a.last_ts)}${a.count > 1 ? ` · ${count(a.count)}×` : ""}`,
            ),
          ),
        ),
    );
    if (this.supported === true)
      setText(
        this.note,
        sorted.length === 0 ? "No alerts." : `${sorted.length} alerts, newest first.`,
      );
  }
}
