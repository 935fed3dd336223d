/**
 * Live capture inside the capture worker: the live source behind the runner interface that
 * the worker holds (../source.ts). Stop only pauses: the handles stay open, since after the
 * privilege drop they could not be reopened (docs/capture.md, "Stop and start").
 */
import type { PacketSink } from "../../packet/packet-sink.js";
import type { LiveSourceSpec, SourceRunner } from "../source.js";
import type { LiveCaptureError } from "./live-errors.js";
import { createLiveSource } from "./live-source.js";

export function createLiveRunner(
  spec: LiveSourceSpec,
  sink: PacketSink,
  onError: (err: LiveCaptureError) => void,
): SourceRunner {
  const live = createLiveSource(
    {
      interfaces: spec.interfaces,
      snaplen: spec.snaplen,
      promiscuous: spec.promiscuous,
      timeoutMs: spec.timeoutMs,
      filter: spec.filter,
      ...(spec.bufferSize !== undefined ? { bufferSize: spec.bufferSize } : {}),
    },
    sink,
    { onError },
  );
  return {
    get running() {
      return live.running;
    },
    start() {
      if (live.paused) live.resume();
      else live.start();
      return { interfaces: live.interfaces.map((i) => i.name) };
    },
    stop: () => {
      if (live.running) live.pause();
    },
    close: () => {
      if (live.running || live.paused) live.stop();
    },
    setFilter: (e) => live.setFilter(e),
    status() {
      const s = live.stats();
      return {
        source: "live",
        interfaces:
          live.interfaces.length > 0 ? live.interfaces.map((i) => i.name) : spec.interfaces,
        received: s.received,
        dropped: s.dropped,
        if_dropped: s.ifDropped,
        buffer_usage_percent: s.bufferUsagePercent,
      };
    },
  };
}
