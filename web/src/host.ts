/**
 * A host's page (`#/host/<address>`): its traffic over time, peers, ports and flows, from
 * `GET /api/hosts/{ip}` (the daemon sums them; the page only shows them).
 */
import { protocolName } from "../../src/contract/protocols.js";
import type { HostDetailBody } from "../../src/contract/types.js";
import { get, HttpError, SessionEnded } from "./api.js";
import { timeChart } from "./chart.js";
import { ConnectionsTable } from "./connections.js";
import { h, hostLink, panel, setText } from "./dom.js";
import { bytes, count, dateTime, rate } from "./format.js";
import { onUnitChange, unit } from "./prefs.js";

type Peer = HostDetailBody["peers"][number];
type Port = HostDetailBody["ports"][number];

export class HostView {
  readonly el: HTMLElement;
  private readonly cleanups: (() => void)[] = [];

  constructor(ip: string) {
    const summary = h("dl", { class: "stats", "data-testid": "host-summary" });
    const note = h("p", { class: "note", "aria-live": "polite" }, "Loading…");
    const chartBox = h("div", { class: "chart", "data-testid": "host-chart" });
    const peers = h("tbody");
    const ports = h("tbody");
    const flows = new ConnectionsTable("host-flows", "Flows", { ip });
    this.el = h(
      "div",
      { class: "view host", "data-testid": "host-view" },
      h(
        "div",
        { class: "crumbs" },
        h("a", { href: "#/" }, "← Dashboard"),
        h("h1", { "data-testid": "host-ip" }, ip),
      ),
      h(
        "div",
        { class: "grid-panels" },
        panel("host-summary", "Traffic", summary, note),
        panel("host-traffic", "Over time", chartBox),
        panel(
          "host-peers",
          "Peers",
          h(
            "table",
            { class: "grid", "data-testid": "host-peers" },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                ...["Address", "Bytes", "Packets", "Flows"].map((t, i) =>
                  h("th", { scope: "col", class: i > 0 ? "num" : "" }, t),
                ),
              ),
            ),
            peers,
          ),
        ),
        panel(
          "host-ports",
          "Ports",
          h(
            "table",
            { class: "grid", "data-testid": "host-ports" },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                ...["Port", "Service", "Bytes", "Flows"].map((t, i) =>
                  h("th", { scope: "col", class: i !== 1 ? "num" : "" }, t),
                ),
              ),
            ),
            ports,
          ),
        ),
        flows.el,
      ),
    );
    const chart = timeChart(
      chartBox,
      [
        { label: "Sent", color: 0, fill: true },
        { label: "Received", color: 1, fill: true },
      ],
      (v) => rate(v, unit()),
      200,
    );
    this.cleanups.push(() => chart.destroy());
    this.cleanups.push(onUnitChange((u) => chart.setFormat((v) => rate(v, u))));
    this.tickTable = () => flows.tick();

    const item = (label: string, value: string, key: string) =>
      h("div", {}, h("dt", {}, label), h("dd", { "data-testid": `host-${key}` }, value));
    const fillPeers = (list: Peer[]) =>
      peers.replaceChildren(
        ...list.map((p) =>
          h(
            "tr",
            {},
            h("td", {}, hostLink(p.ip)),
            h("td", { class: "num" }, bytes(p.bytes)),
            h("td", { class: "num" }, count(p.packets)),
            h("td", { class: "num" }, count(p.flows)),
          ),
        ),
      );
    const fillPorts = (list: Port[]) =>
      ports.replaceChildren(
        ...list.map((p) =>
          h(
            "tr",
            {},
            h("td", { class: "num" }, `${p.port}/${protocolName(p.proto).toLowerCase()}`),
            h("td", {}, p.service === "" ? "–" : p.service),
            h("td", { class: "num" }, bytes(p.bytes)),
            h("td", { class: "num" }, count(p.flows)),
          ),
        ),
      );

    void (async () => {
      try {
        const end = Math.ceil(Date.now() / 1000);
        const d = await get<HostDetailBody>(
          `/api/hosts/${encodeURIComponent(ip)}?start=${end - 86400}&end=${end}&limit=600`,
        );
        const live = d.live;
        summary.replaceChildren(
          item(
            "Sent",
            live === null ? "–" : `${bytes(live.bytes_sent)} · ${count(live.packets_sent)} packets`,
            "sent",
          ),
          item(
            "Received",
            live === null
              ? "–"
              : `${bytes(live.bytes_received)} · ${count(live.packets_received)} packets`,
            "received",
          ),
          item("First seen", live === null ? "–" : dateTime(live.first_seen), "first"),
          item("Last seen", live === null ? "–" : dateTime(live.last_seen), "last"),
          item("Active flows", count(d.flow_count), "flows"),
        );
        const pts = d.history?.points ?? [];
        chart.setData(
          pts.map((p) => p.window_start),
          [
            pts.map((p) => p.bytes_sent / p.window_size),
            pts.map((p) => p.bytes_received / p.window_size),
          ],
        );
        fillPeers(d.peers);
        fillPorts(d.ports);
        setText(
          note,
          live === null
            ? "Not active now; history below."
            : `Active flows: ${count(d.flow_count)} · peers: ${count(d.peers.length)} · service ports: ${count(d.ports.length)}`,
        );
      } catch (err: unknown) {
        if (err instanceof SessionEnded) return;
        setText(
          note,
          err instanceof HttpError && err.status === 404
            ? "No traffic seen for this address."
            : `Could not load the host: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    })();
  }

  /** Passes the stream's tick to the flow table. */
  readonly tickTable: () => void;

  destroy(): void {
    for (const c of this.cleanups) c();
    this.el.remove();
  }
}
