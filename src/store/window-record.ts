/**
 * Converts the engine's window summary (`ReportWindow`, addresses formatted) into the store's
 * `WindowRecord`. The report keys its protocols and sizes by name as plain strings; a name
 * that is missing counts as zero, so a window always has every column filled.
 */

import { SIZE_CLASSES, type SizeClass } from "../contract/enums.js";
import { PROTOCOL_CLASSES, type ProtocolClass } from "../contract/protocols.js";
import type { ReportWindow } from "../engine/report.js";
import type { Count, WindowRecord } from "./types.js";

export function toWindowRecord(w: ReportWindow, drops = 0): WindowRecord {
  const protocols = {} as Record<ProtocolClass, Count>;
  for (const name of PROTOCOL_CLASSES) {
    const c = w.protocols[name];
    protocols[name] = { packets: c?.packets ?? 0, bytes: c?.bytes ?? 0 };
  }
  const sizes = {} as Record<SizeClass, number>;
  for (const name of SIZE_CLASSES) sizes[name] = w.packet_sizes[name] ?? 0;
  return {
    window_start: w.window_start,
    window_size: w.window_size,
    packets: w.packets,
    bytes: w.bytes,
    bytes_per_second: w.bytes_per_second,
    protocols,
    packet_sizes: sizes,
    top_sources: w.top_sources,
    top_destinations: w.top_destinations,
    ports: w.ports,
    drops,
  };
}
