/**
 * Active connections: one page at a time from `GET /api/flows`, which filters, sorts and
 * pages on the daemon, so the page costs the same with a hundred flows or a hundred
 * thousand. Rows are made once and refilled. While "Live" is on, the page is read again
 * every few ticks of the stream.
 */
import { CONN_STATES, type FlowSortKey } from "../../src/contract/enums.js";
import { IP_PROTOCOL_NAMES } from "../../src/contract/protocols.js";
import type { Flow, FlowsBody } from "../../src/contract/types.js";
import { get, HttpError, SessionEnded } from "./api.js";
import { h, hostHref, panel, setText } from "./dom.js";
import { bytes, count, time } from "./format.js";

const PAGE_SIZES = [25, 50, 100, 250] as const;
/** Seconds between refreshes of a live table. */
const REFRESH_SECONDS = 5;

interface Column {
  label: string;
  sort?: FlowSortKey;
  numeric?: boolean;
}

const COLUMNS: Column[] = [
  { label: "Protocol" },
  { label: "Source" },
  { label: "Destination" },
  { label: "State" },
  { label: "Bytes", sort: "bytes", numeric: true },
  { label: "Packets", sort: "packets", numeric: true },
  { label: "First seen", sort: "first_ts", numeric: true },
  { label: "Last seen", sort: "last_ts", numeric: true },
];

interface Row {
  tr: HTMLTableRowElement;
  proto: HTMLTableCellElement;
  src: HTMLAnchorElement;
  srcPort: Text;
  dst: HTMLAnchorElement;
  dstPort: Text;
  state: HTMLTableCellElement;
  bytes: HTMLTableCellElement;
  packets: HTMLTableCellElement;
  first: HTMLTableCellElement;
  last: HTMLTableCellElement;
}

export interface FlowFilter {
  ip?: string;
  port?: string;
  proto?: string;
  state?: string;
}

export class ConnectionsTable {
  readonly el: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private readonly rows: Row[] = [];
  private readonly status: HTMLElement;
  private readonly prev: HTMLButtonElement;
  private readonly next: HTMLButtonElement;
  private readonly sortButtons = new Map<FlowSortKey, HTMLButtonElement>();
  private readonly live: HTMLInputElement;
  private sort: FlowSortKey = "bytes";
  private order: "asc" | "desc" = "desc";
  private offset = 0;
  private limit = 50;
  private total = 0;
  private filter: FlowFilter = {};
  private request = 0;
  private loading = false;
  private lastLoad = 0;

  constructor(
    id: string,
    title: string,
    /** Filters that cannot be changed (the host page's address). */
    private readonly fixed: FlowFilter = {},
  ) {
    const ip = h("input", {
      type: "search",
      placeholder: "address",
      "aria-label": "Filter by address",
      size: 16,
    });
    const port = h("input", {
      type: "number",
      min: 0,
      max: 65535,
      placeholder: "port",
      "aria-label": "Filter by port",
    });
    const proto = h(
      "select",
      { "aria-label": "Filter by protocol" },
      h("option", { value: "" }, "any protocol"),
      ...Object.values(IP_PROTOCOL_NAMES).map((name) =>
        h("option", { value: name.toLowerCase() }, name),
      ),
    );
    const state = h(
      "select",
      { "aria-label": "Filter by state" },
      h("option", { value: "" }, "any state"),
      ...CONN_STATES.map((s) => h("option", { value: s }, s)),
    );
    const size = h(
      "select",
      { "aria-label": "Rows per page" },
      ...PAGE_SIZES.map((n) =>
        h("option", { value: String(n), selected: n === this.limit }, `${n} rows`),
      ),
    );
    this.live = h("input", { type: "checkbox", checked: true });
    let debounce: number | undefined;
    const changed = () => {
      window.clearTimeout(debounce);
      debounce = window.setTimeout(() => {
        const f: FlowFilter = {};
        if (ip.value.trim() !== "") f.ip = ip.value.trim();
        if (port.value !== "") f.port = port.value;
        if (proto.value !== "") f.proto = proto.value;
        if (state.value !== "") f.state = state.value;
        this.filter = f;
        this.offset = 0;
        void this.load();
      }, 250);
    };
    for (const input of [ip, port]) input.addEventListener("input", changed);
    for (const sel of [proto, state]) sel.addEventListener("change", changed);
    size.addEventListener("change", () => {
      this.limit = Number(size.value);
      this.offset = 0;
      void this.load();
    });
    const filters = h("form", { class: "filters", role: "search" });
    filters.addEventListener("submit", (e) => e.preventDefault());
    if (fixed.ip === undefined) filters.append(ip);
    filters.append(port, proto, state, size, h("label", { class: "check" }, this.live, " Live"));

    const headRow = h("tr");
    for (const c of COLUMNS) {
      const th = h("th", { scope: "col", class: c.numeric === true ? "num" : "" });
      if (c.sort !== undefined) {
        const key = c.sort;
        const b = h("button", { type: "button", class: "sort", "data-sort": key }, c.label);
        b.addEventListener("click", () => {
          if (this.sort === key) this.order = this.order === "desc" ? "asc" : "desc";
          else {
            this.sort = key;
            this.order = "desc";
          }
          this.offset = 0;
          void this.load();
        });
        this.sortButtons.set(key, b);
        th.appendChild(b);
      } else {
        th.textContent = c.label;
      }
      headRow.appendChild(th);
    }
    this.body = h("tbody");
    this.status = h("span", {
      class: "note",
      "aria-live": "polite",
      "data-testid": `${id}-status`,
    });
    this.prev = h("button", { type: "button" }, "← Previous");
    this.next = h("button", { type: "button" }, "Next →");
    this.prev.addEventListener("click", () => {
      this.offset = Math.max(0, this.offset - this.limit);
      void this.load();
    });
    this.next.addEventListener("click", () => {
      this.offset += this.limit;
      void this.load();
    });
    this.el = panel(
      id,
      title,
      filters,
      h(
        "div",
        { class: "scroll" },
        h(
          "table",
          { class: "grid flows", "data-testid": `${id}-table` },
          h("thead", {}, headRow),
          this.body,
        ),
      ),
      h("div", { class: "pager" }, this.prev, this.status, this.next),
    );
    this.el.classList.add("wide");
    this.markSort();
    void this.load();
  }

  /** Called every tick: a live table reads its page again every REFRESH_SECONDS. */
  tick(): void {
    if (!this.live.checked || this.loading || document.hidden) return;
    if (Date.now() - this.lastLoad >= REFRESH_SECONDS * 1000) void this.load();
  }

  private markSort(): void {
    for (const [key, b] of this.sortButtons) {
      const th = b.parentElement;
      const active = key === this.sort;
      const dir = this.order === "desc" ? "descending" : "ascending";
      if (active) th?.setAttribute("aria-sort", dir);
      else th?.removeAttribute("aria-sort");
      b.dataset.active = String(active);
      b.dataset.order = active ? this.order : "";
    }
  }

  async load(): Promise<void> {
    const id = ++this.request;
    this.loading = true;
    // Tests wait for the answer to land.
    this.el.dataset.busy = "1";
    this.lastLoad = Date.now();
    this.markSort();
    const q = new URLSearchParams();
    const f = { ...this.filter, ...this.fixed };
    if (f.ip !== undefined) q.set("ip", f.ip);
    if (f.port !== undefined) q.set("port", f.port);
    if (f.proto !== undefined) q.set("proto", f.proto);
    if (f.state !== undefined) q.set("state", f.state);
    q.set("sort", this.sort);
    q.set("order", this.order);
    q.set("limit", String(this.limit));
    q.set("offset", String(this.offset));
    try {
      const page = await get<FlowsBody>(`/api/flows?${q.toString()}`);
      if (id !== this.request) return;
      this.total = page.total;
      if (page.flows.length === 0 && this.offset > 0 && this.offset >= page.total) {
        // The flows of the last page ended meanwhile: go back to the last page that has rows.
        this.offset = Math.max(0, Math.floor((page.total - 1) / this.limit) * this.limit);
        this.loading = false;
        void this.load();
        return;
      }
      this.render(page.flows);
    } catch (err: unknown) {
      if (err instanceof SessionEnded || id !== this.request) return;
      setText(
        this.status,
        `Could not load connections: ${err instanceof HttpError ? err.message : String(err)}`,
      );
    } finally {
      if (id === this.request) {
        this.loading = false;
        delete this.el.dataset.busy;
      }
    }
  }

  private row(): Row {
    const cell = (numeric = false) => h("td", numeric ? { class: "num" } : {});
    const src = h("a", { class: "ip" });
    const dst = h("a", { class: "ip" });
    const srcPort = document.createTextNode("");
    const dstPort = document.createTextNode("");
    const r: Row = {
      tr: h("tr"),
      proto: cell(),
      src,
      srcPort,
      dst,
      dstPort,
      state: cell(),
      bytes: cell(true),
      packets: cell(true),
      first: cell(true),
      last: cell(true),
    };
    const srcCell = cell();
    srcCell.append(src, srcPort);
    const dstCell = cell();
    dstCell.append(dst, dstPort);
    r.tr.append(r.proto, srcCell, dstCell, r.state, r.bytes, r.packets, r.first, r.last);
    return r;
  }

  private render(flows: Flow[]): void {
    while (this.rows.length < flows.length) {
      const r = this.row();
      this.rows.push(r);
      this.body.appendChild(r.tr);
    }
    for (let i = 0; i < this.rows.length; i++) {
      const r = this.rows[i] as Row;
      const f = flows[i];
      r.tr.hidden = f === undefined;
      if (f === undefined) continue;
      // A tunneled connection names its tunnel, with the endpoints in the tooltip.
      setText(r.proto, f.tunnel === null ? f.protocol : `${f.protocol} · ${f.tunnel.type}`);
      r.proto.title =
        f.tunnel === null ? "" : `${f.tunnel.type} tunnel ${f.tunnel.src_ip} ↔ ${f.tunnel.dst_ip}`;
      setText(r.src, f.src_ip);
      r.src.href = hostHref(f.src_ip);
      r.srcPort.data = hasPorts(f.proto) ? `:${f.src_port}` : "";
      setText(r.dst, f.dst_ip);
      r.dst.href = hostHref(f.dst_ip);
      r.dstPort.data = hasPorts(f.proto) ? `:${f.dst_port}` : "";
      setText(r.state, f.conn_state);
      setText(r.bytes, bytes(f.bytes));
      setText(r.packets, count(f.packets));
      setText(r.first, time(f.first_ts));
      setText(r.last, time(f.last_ts));
    }
    const from = flows.length === 0 ? 0 : this.offset + 1;
    setText(
      this.status,
      this.total === 0
        ? "No connections match."
        : `${count(from)}–${count(this.offset + flows.length)} of ${count(this.total)}`,
    );
    this.prev.disabled = this.offset === 0;
    this.next.disabled = this.offset + flows.length >= this.total;
  }
}

/** TCP, UDP and SCTP flows have ports worth showing (ICMP's stand-ins are not ports). */
function hasPorts(proto: number): boolean {
  return proto === 6 || proto === 17 || proto === 132;
}
