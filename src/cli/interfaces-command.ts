/**
 * `netnet interfaces`: the devices libpcap can capture on, with their addresses and flags,
 * and which one carries the default route (the one captured when the config names none).
 */
import {
  type CaptureInterface,
  defaultCaptureInterface,
  listCaptureInterfaces,
} from "../capture/live/interfaces.js";
import { LiveCaptureError } from "../capture/live/live-errors.js";
import { loadPcapAddon } from "../capture/live/pcap-addon.js";
import { table } from "../util/units.js";

export interface InterfacesOptions {
  json: boolean;
}

/** The JSON form (`--json`): libpcap's version, the default device, and every device. */
export interface InterfacesReport {
  libpcap: string;
  default: string | null;
  interfaces: CaptureInterface[];
}

function flagText(i: CaptureInterface): string {
  const flags: string[] = [];
  if (i.up) flags.push("up");
  if (i.running) flags.push("running");
  if (i.loopback) flags.push("loopback");
  if (i.wireless) flags.push("wireless");
  if (i.connection === "connected" || i.connection === "disconnected") flags.push(i.connection);
  return flags.join(" ") || "down";
}

function addressText(i: CaptureInterface): string {
  if (i.addresses.length === 0) return i.description ?? "";
  return i.addresses
    .map((a) => (a.prefix === null ? a.address : `${a.address}/${a.prefix}`))
    .join(", ");
}

export function formatInterfaces(r: InterfacesReport): string {
  const rows = [["", "device", "flags", "addresses"]];
  for (const i of r.interfaces) {
    rows.push([i.name === r.default ? "*" : "", i.name, flagText(i), addressText(i)]);
  }
  const lines = [table(rows), ""];
  lines.push(
    r.default === null
      ? "No default route and no other usable device: name one with interface.name."
      : `* ${r.default}: ${r.interfaces.some((i) => i.default) ? "carries the default route; " : ""}` +
          "captured when the config names no interface.",
  );
  lines.push(r.libpcap);
  return `${lines.join("\n")}\n`;
}

export function interfacesReport(): InterfacesReport {
  const addon = loadPcapAddon();
  const interfaces = listCaptureInterfaces(addon);
  return { libpcap: addon.libVersion(), default: defaultCaptureInterface(interfaces), interfaces };
}

/** The command's action: prints the list and returns the exit code. */
export function interfacesCommand(opts: InterfacesOptions): number {
  let report: InterfacesReport;
  try {
    report = interfacesReport();
  } catch (err: unknown) {
    if (err instanceof LiveCaptureError) {
      process.stderr.write(`netnet interfaces: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : formatInterfaces(report));
  return 0;
}
