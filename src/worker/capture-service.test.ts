import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { flowCounts, writeBusyCapture } from "../../test/support/busy-capture.js";
import * as F from "../../test/support/frames.js";
import { writeManyFlowsCapture } from "../../test/support/many-flows.js";
import { fixturePath } from "../../test/support/paths.js";
import { FileSink, PcapWriter } from "../capture/file/capture-writer.js";
import type { FileSourceSpec } from "../capture/source.js";
import { runReplay } from "../cli/replay-command.js";
import type { Snapshot } from "../engine/snapshot.js";
import type { FlowRecord } from "../flows/flow-record.js";
import { LINKTYPE_ETHERNET } from "../packet/link-types.js";
import { DEFAULT_STATS_CONFIG } from "../stats/aggregator.js";
import { type CaptureService, createCaptureService } from "./capture-service.js";
import type { CaptureWorkerConfig } from "./protocol.js";

function config(
  source: Partial<FileSourceSpec> & { path: string },
  tickMs = 100,
): CaptureWorkerConfig {
  return {
    source: { kind: "file", speed: "max", loop: false, filter: "", ...source },
    flows: { capacity: 1 << 16, idleTimeout: 300, cleanupInterval: 60 },
    stats: { ...DEFAULT_STATS_CONFIG, windowSize: 10 },
    tickMs,
    autoStart: true,
  };
}

/** Starts a service and resolves when capture ends by itself. */
async function runToEnd(cfg: CaptureWorkerConfig) {
  const snapshots: Snapshot[] = [];
  let ended!: (v: { reason: string; error: string | null }) => void;
  const endedP = new Promise<{ reason: string; error: string | null }>((r) => {
    ended = r;
  });
  const service = createCaptureService(cfg, {
    onSnapshot: (s) => snapshots.push(s),
    onCaptureEnded: (reason, error) => ended({ reason, error }),
  });
  const started = Date.now();
  await service.start();
  const end = await endedP;
  return { service, snapshots, end, ms: Date.now() - started };
}

/** A capture of `n` UDP packets `gap` seconds apart. */
function writeTimedCapture(path: string, n: number, gap: number): void {
  const w = new PcapWriter(new FileSink(path), { linktype: LINKTYPE_ETHERNET, nanosecond: true });
  for (let i = 0; i < n; i++) {
    const frame = F.ethernet(
      "02:00:00:00:00:02",
      "02:00:00:00:00:01",
      0x0800,
      F.ipv4(
        { src: "10.9.0.1", dst: "10.9.0.2", proto: 17 },
        F.udp({ sport: 5000, dport: 53 }, new Uint8Array(20)),
      ),
    );
    const t = 1_600_000_000 + i * gap;
    w.write(frame, Math.floor(t), Math.round((t % 1) * 1e9));
  }
  w.close();
}

describe("capture service (worker thread)", () => {
  const dir = mkdtempSync(join(tmpdir(), "netnet-capture-"));
  const services: CaptureService[] = [];
  after(async () => {
    for (const s of services) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a file at full speed: the final snapshot holds what a replay reports", async () => {
    const file = fixturePath("mixed.pcap");
    const { service, snapshots, end } = await runToEnd(config({ path: file }));
    services.push(service);
    assert.deepEqual(end, { reason: "end_of_file", error: null });
    const page = await service.queryFlows({ limit: 5, offset: 0, sort: "bytes" });
    const flowsOut = join(dir, "mixed-flows.jsonl");
    const replay = (await runReplay(file, { json: true, top: 5, progress: false, flowsOut }))
      .report;
    const replayFlows = readFileSync(flowsOut, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as FlowRecord);
    assert.equal(page.total, replay.flow_count, "every flow is still active (300 s idle timeout)");
    assert.deepEqual(
      page.flows.map((f) => [f.src_ip, f.src_port, f.dst_ip, f.dst_port, f.bytes + f.bytes_rev]),
      replay.top_flows.map((f) => [
        f.src_ip,
        f.src_port,
        f.dst_ip,
        f.dst_port,
        f.bytes + f.bytes_rev,
      ]),
    );
    const https = await service.queryFlows({ port: 443, proto: 6, limit: 1000, offset: 0 });
    assert.ok(https.total > 0);
    assert.ok(
      https.flows.every((f) => f.proto === 6 && (f.dst_port === 443 || f.src_port === 443)),
    );
    await service.stop();
    const last = snapshots[snapshots.length - 1];
    assert.ok(last !== undefined);
    assert.equal(last.packets, replay.packets);
    assert.equal(last.bytes, replay.bytes);
    assert.deepEqual(last.protocols, replay.protocols);
    assert.deepEqual(last.packet_sizes, replay.packet_sizes);
    const ended = snapshots.flatMap((s) => s.ended_flows);
    assert.equal(ended.length, replay.flow_count, "every flow ends in some snapshot");
    const key = (f: FlowRecord) =>
      `${f.proto} ${f.src_ip}:${f.src_port} ${f.dst_ip}:${f.dst_port} ${f.vlan} ${f.packets}/${f.bytes} ${f.packets_rev}/${f.bytes_rev} ${f.conn_state}`;
    assert.deepEqual(
      ended.map(key).sort(),
      replayFlows.map(key).sort(),
      "the same flows as a replay",
    );
    const windows = snapshots.flatMap((s) => s.windows);
    assert.equal(
      windows.reduce((sum, w) => sum + w.bytes, 0),
      replay.bytes,
      "the windows sent to the store add up to the total",
    );
    assert.deepEqual(
      snapshots.map((s) => s.seq),
      snapshots.map((_, i) => i + 1),
    );
    await assert.rejects(service.startCapture(), /not running/);
  });

  test("recorded speed: packets arrive at their pace, shifted to the present", async () => {
    const file = join(dir, "timed.pcap");
    writeTimedCapture(file, 11, 0.1); // spans 1.0 s
    const before = Date.now() / 1000;
    const { service, snapshots, ms } = await runToEnd(
      config({ path: file, speed: "recorded" }, 50),
    );
    services.push(service);
    assert.ok(ms >= 950, `a 1.0 s capture took ${ms} ms`);
    const last = snapshots[snapshots.length - 1];
    assert.ok(last?.packet_time !== null && last?.packet_time !== undefined);
    assert.ok(Math.abs(last.packet_time - (before + 1)) < 1.5, "timestamps moved to now");
    assert.equal(last.capture.received, 11);
    await service.stop();
  });

  test("H8b: a paced replay delivers every frame intact: the same flows as netnet replay, flow by flow", async () => {
    // Several MiB, so the reader reuses its buffers while paced packets wait in the queue;
    // 20,000 packets over 4 s of file time (5,000 packets/s) keep the test short.
    const file = join(dir, "busy.pcap");
    writeBusyCapture(file, { packets: 20_000, flows: 400, seconds: 4 });
    const { service, snapshots, end, ms } = await runToEnd(
      config({ path: file, speed: "recorded" }, 100),
    );
    services.push(service);
    assert.deepEqual(end, { reason: "end_of_file", error: null });
    assert.ok(ms >= 3900, `paced: a 4 s capture took ${ms} ms`);
    await service.stop();
    const flowsOut = join(dir, "busy-flows.jsonl");
    const replay = (await runReplay(file, { json: true, top: 5, progress: false, flowsOut }))
      .report;
    const replayFlows = readFileSync(flowsOut, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as FlowRecord);
    const last = snapshots[snapshots.length - 1];
    assert.equal(last?.packets, 20_000);
    assert.equal(last?.packets, replay.packets);
    assert.equal(last?.bytes, replay.bytes);
    assert.deepEqual(last?.protocols, replay.protocols);
    assert.deepEqual(last?.decode_errors, {});
    const paced = snapshots.flatMap((s) => s.ended_flows);
    assert.equal(replayFlows.length, 400);
    assert.deepEqual(paced.map(flowCounts).sort(), replayFlows.map(flowCounts).sort());
  });

  test("H8: a thirty-day gap in a paced replay is reported once, through onTimeJump, and not waited for", async () => {
    const file = join(dir, "gap.pcap");
    const w = new PcapWriter(new FileSink(file), { linktype: LINKTYPE_ETHERNET });
    const frame = F.ethernet(
      "02:00:00:00:00:02",
      "02:00:00:00:00:01",
      0x0800,
      F.ipv4({ src: "10.9.0.1", dst: "10.9.0.2", proto: 17 }, F.udp({ sport: 1, dport: 53 })),
    );
    const t0 = 1_600_000_000;
    for (const t of [t0, t0 + 30 * 86_400, t0 + 30 * 86_400 + 1, t0 + 60 * 86_400])
      w.write(frame, t);
    w.close();
    const jumps: unknown[] = [];
    let ended: (reason: string) => void = () => {};
    const end = new Promise<string>((r) => {
      ended = r;
    });
    const service = createCaptureService(config({ path: file, speed: "recorded" }, 50), {
      onCaptureEnded: (reason) => ended(reason),
      onTimeJump: (jump) => jumps.push(jump),
    });
    services.push(service);
    const started = Date.now();
    await service.start();
    let timer: NodeJS.Timeout | undefined;
    const reason = await Promise.race([
      end,
      new Promise<string>((r) => {
        timer = setTimeout(() => r("still running after 5 s"), 5000);
      }),
    ]);
    clearTimeout(timer);
    assert.equal(reason, "end_of_file");
    // One second of the file between the two jumps is kept; the sixty days are not.
    const ms = Date.now() - started;
    assert.ok(ms >= 900 && ms < 5000, `took ${ms} ms`);
    assert.deepEqual(jumps, [{ file, from: t0, to: t0 + 30 * 86_400, packet: 1 }]);
    await service.stop();
  });

  test("a loop replays the file again and again until capture is stopped", async () => {
    const file = join(dir, "short.pcap");
    writeTimedCapture(file, 4, 0.05); // spans 0.15 s
    const snapshots: Snapshot[] = [];
    const service = createCaptureService(
      config({ path: file, speed: "recorded", loop: true }, 50),
      {
        onSnapshot: (s) => snapshots.push(s),
      },
    );
    services.push(service);
    await service.start();
    await new Promise((r) => setTimeout(r, 1200));
    await service.stopCapture();
    const received = service.latest()?.capture.received ?? 0;
    assert.ok(received >= 12, `at least three passes in 1.2 s, got ${received} packets`);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(service.latest()?.capture.running, false);
    const after = service.latest()?.capture.received;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(service.latest()?.capture.received, after, "nothing more after stop");
    await service.stop();
  });

  test("H18: a stop with a timeout terminates a worker that has not handed over its last snapshot by then", async () => {
    const file = join(dir, "many-flows.pcap");
    writeManyFlowsCapture(file, 200_000);
    const cfg = config({ path: file, loop: true });
    const snapshots: Snapshot[] = [];
    const service = createCaptureService(
      { ...cfg, flows: { ...cfg.flows, capacity: 1 << 18 } },
      { onSnapshot: (s) => snapshots.push(s) },
    );
    services.push(service);
    await service.start();
    // Until the table holds the 200,000 flows: ending them takes far longer than 1 ms.
    while ((service.latest()?.active_flow_count ?? 0) < 200_000) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const before = snapshots.length;
    const t0 = performance.now();
    assert.equal(await service.stop(1), false, "terminated");
    assert.ok(performance.now() - t0 < 2000);
    assert.ok(
      snapshots.slice(before).every((s) => s.ended_flows.length < 200_000),
      "no last snapshot",
    );
    await assert.rejects(service.stopCapture(), { code: "ERR_WORKER_NOT_RUNNING" });
    assert.equal(await service.stop(1), true, "nothing left to stop");
  });

  test("H18: a main thread that does not take its snapshots gets two, not a growing queue of them", async () => {
    const file = join(dir, "loop.pcap");
    writeManyFlowsCapture(file, 2000);
    let received = 0;
    const busyUntil = performance.now() + 1000;
    const service = createCaptureService(config({ path: file, loop: true }, 10), {
      onSnapshot: () => {
        received++;
        // A main thread far behind: 200 ms per snapshot for the first second.
        const end = performance.now() + 200;
        while (performance.now() < end && performance.now() < busyUntil) {
          // Busy: nothing else runs on this thread meanwhile.
        }
      },
    });
    services.push(service);
    await service.start();
    await new Promise((r) => setTimeout(r, busyUntil + 50 - performance.now()));
    // A tick every 10 ms would have queued about a hundred snapshots by the end of the busy
    // second, all delivered at once after it.
    assert.ok(received < 25, `${received} snapshots by 50 ms after the busy second`);
    const before = received;
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(received - before >= 20, "once the thread keeps up, a snapshot a tick again");
    await service.stop();
  });

  test("a damaged file ends capture with the reason", async () => {
    const { service, end } = await runToEnd(config({ path: fixturePath("truncated.pcap") }));
    services.push(service);
    assert.equal(end.reason, "error");
    assert.match(end.error ?? "", /truncated\.pcap: .*ends inside the record/);
    assert.equal(service.latest()?.capture.error ?? end.error, end.error);
    await service.stop();
  });
});
