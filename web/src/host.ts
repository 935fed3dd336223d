/**
 * A host's page (`#/host/<address>`): its traffic over time, peers, ports and flows, from
 * `GET /api/hosts/{ip}`. A daemon without that route still gets a page: peers and ports are
 * then summed from the host's active flows (`GET /api/flows?ip=`).
 */
import type { Flow, FlowsBody, HostDetailBody } from "../../src/api/types.js";
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
            h("td", { class: "num" }, `${p.port}/${protoName(p.proto)}`),
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
        if (!(err instanceof HttpError && err.status === 404)) {
          setText(
            note,
            `Could not load the host: ${err instanceof Error ? err.message : String(err)}`,
          );
          return;
        }
        // No host route, or the daemon does not know the address: what its active flows say.
        try {
          const page = await get<FlowsBody>(`/api/flows?ip=${encodeURIComponent(ip)}&limit=1000`);
          const agg = aggregate(ip, page.flows);
          summary.replaceChildren(
            item("Sent", `${bytes(agg.sent)} · ${count(agg.packetsSent)} packets`, "sent"),
            item(
              "Received",
              `${bytes(agg.received)} · ${count(agg.packetsReceived)} packets`,
              "received",
            ),
            item("Active flows", count(page.total), "flows"),
          );
          fillPeers(agg.peers);
          fillPorts(agg.ports);
          setText(
            note,
            page.total === 0
              ? "No traffic seen for this address."
              : "From its active flows (this daemon keeps no per-host history).",
          );
        } catch (e: unknown) {
          if (!(e instanceof SessionEnded)) setText(note, "Could not load the host.");
        }
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

const PROTO_NAMES: Record<number, string> = { 1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6" };

function protoName(n: number): string {
  return PROTO_NAMES[n] ?? String(n);
}

/** Totals, peers and server ports of one address, summed from its flows. */
export function aggregate(ip: string, flows: Flow[]) {
  let sent = 0;
  let received = 0;
  let packetsSent = 0;
  let packetsReceived = 0;
  const peers = new Map<string, Peer>();
  const ports = new Map<string, Port>();
  for (const f of flows) {
    const initiator = f.src_ip === ip;
    sent += initiator ? f.bytes_out : f.bytes_in;
    received += initiator ? f.bytes_in : f.bytes_out;
    packetsSent += initiator ? f.packets_out : f.packets_in;
    packetsReceived += initiator ? f.packets_in : f.packets_out;
    const other = initiator ? f.dst_ip : f.src_ip;
    const p = peers.get(other) ?? { ip: other, bytes: 0, packets: 0, flows: 0 };
    p.bytes += f.bytes;
    p.packets += f.packets;
    p.flows++;
    peers.set(other, p);
    const key = `${f.dst_port}/${f.proto}`;
    const q = ports.get(key) ?? {
      port: f.dst_port,
      proto: f.proto,
      service: "",
      bytes: 0,
      packets: 0,
      flows: 0,
    };
    q.bytes += f.bytes;
    q.packets += f.packets;
    q.flows++;
    ports.set(key, q);
  }
  const byBytes = <T extends { bytes: number }>(m: Map<string, T>) =>
    [...m.values()].sort((a, b) => b.bytes - a.bytes).slice(0, 20);
  return {
    sent,
    received,
    packetsSent,
    packetsReceived,
    peers: byBytes(peers),
    ports: byBytes(ports),
  };
}
