/** The readable form of a replay report (the default output of `netnet replay`). */
import type { ReplayReport } from "../engine/report.js";
import { formatBitRate, formatBytes, formatCount, formatTimestamp, table } from "../util/units.js";

function endpoint(ip: string, port: number): string {
  return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function pct(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : "0.0%";
}

export function formatReport(r: ReplayReport): string {
  const out: string[] = [];
  const links = [...new Set(r.interfaces.map((i) => i.link_type_name))].join(", ");
  out.push(`${r.file}  (${r.format}${r.compressed ? ", gzip" : ""}; ${links || "no interfaces"})`);
  out.push("");
  const summary: string[][] = [
    ["packets", formatCount(r.packets)],
    ["bytes", `${formatCount(r.bytes)} (${formatBytes(r.bytes)}, frame lengths on the wire)`],
  ];
  if (r.first_ts !== null && r.last_ts !== null) {
    summary.push(["first packet", formatTimestamp(r.first_ts)]);
    summary.push(["last packet", formatTimestamp(r.last_ts)]);
    summary.push(["duration", `${r.duration_seconds.toFixed(3)} s`]);
  }
  summary.push([
    "average rate",
    `${formatBitRate(r.bytes_per_second)} (peak second ${formatBitRate(r.peak_bytes_per_second)})`,
  ]);
  summary.push([
    "flows",
    `${formatCount(r.flow_count)} (${formatCount(r.flows_expired)} idle-expired, ${formatCount(r.flows_evicted)} evicted)`,
  ]);
  out.push(table(summary));

  out.push("", "Protocols");
  const protoRows = [["", "packets", "bytes", "share"]];
  for (const [name, c] of Object.entries(r.protocols)) {
    if (c.packets === 0) continue;
    protoRows.push([name, formatCount(c.packets), formatBytes(c.bytes), pct(c.bytes, r.bytes)]);
  }
  out.push(table(protoRows, [false, true, true, true]));

  out.push("", "Packet sizes (bytes on the wire)");
  const sizeRows = Object.entries(r.packet_sizes).map(([name, n]) => [
    `${name} (${r.packet_size_ranges[name]})`,
    formatCount(n),
    pct(n, r.packets),
  ]);
  out.push(table(sizeRows, [false, true, true]));

  const states = Object.entries(r.conn_states).sort((a, b) => b[1] - a[1]);
  if (states.length > 0) {
    out.push(
      "",
      `Connection states: ${states.map(([s, n]) => `${s} ${formatCount(n)}`).join(", ")}`,
    );
  }

  if (r.top_flows.length > 0) {
    out.push("", `Top ${r.top_flows.length} flows by bytes`);
    const rows = [["proto", "initiator", "responder", "packets", "bytes", "state"]];
    for (const f of r.top_flows) {
      rows.push([
        String(f.proto),
        endpoint(f.src_ip, f.src_port),
        endpoint(f.dst_ip, f.dst_port),
        formatCount(f.packets + f.packets_rev),
        formatBytes(f.bytes + f.bytes_rev),
        f.conn_state,
      ]);
    }
    out.push(table(rows, [false, false, false, true, true, false]));
  }

  const talkers = (title: string, list: ReplayReport["top_sources"]) => {
    if (list.length === 0) return;
    out.push("", title);
    out.push(
      table(
        list.map((t) => [t.ip, formatBytes(t.bytes), `${formatCount(t.packets)} pkts`]),
        [false, true, true],
      ),
    );
  };
  talkers("Top sources (bytes sent)", r.top_sources);
  talkers("Top destinations (bytes received)", r.top_destinations);

  if (r.ports.length > 0) {
    out.push("", "Server ports (TCP/UDP/SCTP, both directions)");
    const rows = [["port", "service", "bytes", "connections"]];
    for (const p of r.ports)
      rows.push([String(p.port), p.service, formatBytes(p.bytes), formatCount(p.connections)]);
    out.push(table(rows, [true, false, true, true]));
  }

  const errors = Object.entries(r.decode_errors);
  if (errors.length > 0) {
    out.push("", `Decode errors: ${errors.map(([k, n]) => `${k} ${formatCount(n)}`).join(", ")}`);
  }
  const unsupported = Object.entries(r.unsupported_link_types);
  if (unsupported.length > 0) {
    out.push(
      `Unsupported link types (skipped): ${unsupported.map(([k, n]) => `${k} ${formatCount(n)}`).join(", ")}`,
    );
  }
  if (r.damage !== null) out.push("", `Damaged file: ${r.damage.message}`);
  out.push(
    "",
    `Processed in ${r.elapsed_seconds.toFixed(3)} s (${formatCount(r.packets_per_second)} packets/s)`,
  );
  return `${out.join("\n")}\n`;
}
