import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { TempDir } from "../../../test/support/capture-testkit.js";
import * as F from "../../../test/support/frames.js";
import { LINKTYPE_ETHERNET } from "../../packet/link-types.js";
import type { PacketSink } from "../../packet/packet-sink.js";
import type { FileSourceSpec } from "../source.js";
import { MemorySink, PcapWriter } from "./capture-writer.js";
import { FileRunner, type TimeJump } from "./file-runner.js";

const tmp = new TempDir();
after(() => tmp.remove());

const DAY_MS = 86_400_000;
/** Thirty days: more than the 2^31 ms (24.8 days) a Node timer can wait. */
const MONTH_MS = 30 * DAY_MS;

/** One delivered packet: its (shifted) time and the wall clock when it came. */
interface Delivery {
  sec: number;
  nsec: number;
  at: number;
  id: number;
}

/** Keeps the time of every packet and the IP id that tells which packet of the file it is. */
class TimingSink implements PacketSink {
  readonly seen: Delivery[] = [];
  packet(
    buf: Uint8Array,
    off: number,
    _caplen: number,
    _origlen: number,
    tsSec: number,
    tsNsec: number,
  ): void {
    // Ethernet (14) + the IPv4 identification field at byte 4 of the IP header.
    const id = (buf[off + 18] << 8) | buf[off + 19];
    this.seen.push({ sec: tsSec, nsec: tsNsec, at: Date.now(), id });
  }
}

/** A pcap of UDP packets at file times `t0 + ms / 1000`, with IP ids 0, 1, ... */
function capture(t0: number, ms: number[]): string {
  const mem = new MemorySink();
  const w = new PcapWriter(mem, { linktype: LINKTYPE_ETHERNET, nanosecond: true });
  ms.forEach((m, id) => {
    const frame = F.ethernet(
      "02:00:00:00:00:02",
      "02:00:00:00:00:01",
      0x0800,
      F.ipv4(
        { src: "10.9.0.1", dst: "10.9.0.2", proto: 17, id },
        F.udp({ sport: 5000, dport: 53 }, new Uint8Array(20)),
      ),
    );
    const sec = Math.floor(m / 1000);
    w.write(frame, t0 + sec, (m - sec * 1000) * 1e6);
  });
  w.close();
  return tmp.file(mem.bytes());
}

function spec(path: string): FileSourceSpec {
  return { kind: "file", path, speed: "recorded", loop: false, filter: "" };
}

/**
 * Replays `path` at its recorded pace; resolves when it ends by itself, or fails after
 * `limitMs` (stopping the runner, so a replay that would wait for days does not linger).
 */
async function pacedRun(path: string, limitMs: number, runs = 1) {
  const sink = new TimingSink();
  const jumps: TimeJump[] = [];
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  process.on("warning", onWarning);
  let ended: (v: string) => void = () => {};
  const runner = new FileRunner(
    spec(path),
    sink,
    (reason) => ended(reason),
    (jump) => jumps.push(jump),
  );
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    let reason = "";
    for (let run = 0; run < runs; run++) {
      const end = new Promise<string>((r) => {
        ended = r;
      });
      await runner.start();
      reason = await Promise.race([
        end,
        new Promise<string>((r) => {
          timer = setTimeout(() => r("still running"), limitMs);
        }),
      ]);
      clearTimeout(timer);
      if (reason !== "end_of_file") break;
      await runner.settled();
    }
    return { reason, seen: sink.seen, warnings, jumps, ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
    runner.stop();
    await runner.settled();
    process.off("warning", onWarning);
  }
}

/** Nanoseconds from delivery `a` to delivery `b` in the times given to the sink. */
function spanNs(a: Delivery | undefined, b: Delivery | undefined): number {
  assert.ok(a !== undefined && b !== undefined);
  return (b.sec - a.sec) * 1e9 + (b.nsec - a.nsec);
}

describe("file runner: paced replay", () => {
  test("H8: a timestamp gap of thirty days is re-based, never waited for or handed to a timer", async () => {
    const t0 = 1_700_000_000;
    const { reason, seen, warnings, ms } = await pacedRun(
      capture(t0, [0, 50, 100, MONTH_MS, MONTH_MS + 50, MONTH_MS + 100]),
      5000,
    );
    assert.equal(reason, "end_of_file");
    assert.deepEqual(warnings, [], "no TimeoutOverflowWarning");
    assert.ok(ms < 2000, `took ${ms} ms`);
    assert.deepEqual(
      seen.map((d) => d.id),
      [0, 1, 2, 3, 4, 5],
    );
    // The pace on both sides of the gap is kept to the nanosecond; the gap itself is gone.
    assert.equal(spanNs(seen[0], seen[2]), 100_000_000);
    assert.equal(spanNs(seen[3], seen[5]), 100_000_000);
    const gap = spanNs(seen[2], seen[3]);
    assert.ok(gap >= 0 && gap < 1e9, `the gap became ${gap} ns`);
  });

  test("H8: one damaged timestamp a day ahead costs no wait, and the jump is reported once per run", async () => {
    const t0 = 1_700_000_000;
    const { reason, seen, warnings, jumps, ms } = await pacedRun(
      capture(t0, [0, 50, 100, DAY_MS + 120, 150, 200]),
      5000,
      2,
    );
    assert.equal(reason, "end_of_file");
    assert.deepEqual(warnings, []);
    assert.ok(ms < 2000, `two runs took ${ms} ms`);
    assert.deepEqual(
      seen.map((d) => d.id),
      [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5],
    );
    for (let i = 1; i < 6; i++) {
      assert.ok(spanNs(seen[i - 1], seen[i]) >= 0, `packet ${i} goes back in time`);
    }
    // The step there and the step back are both re-based; each run reports its first.
    assert.deepEqual(jumps, [
      { from: t0 + 0.1, to: t0 + 86_400.12, packet: 3 },
      { from: t0 + 0.1, to: t0 + 86_400.12, packet: 3 },
    ]);
  });

  test("H8: a timestamp that jumps back by a day is re-based too, so the packets after it keep their pace", async () => {
    const t0 = 1_700_000_000;
    const { reason, seen, warnings, ms } = await pacedRun(
      capture(t0, [0, 100, 200, -DAY_MS, -DAY_MS + 100, -DAY_MS + 200]),
      5000,
    );
    assert.equal(reason, "end_of_file");
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      seen.map((d) => d.id),
      [0, 1, 2, 3, 4, 5],
    );
    for (let i = 1; i < seen.length; i++) {
      assert.ok(spanNs(seen[i - 1], seen[i]) >= 0, `packet ${i} goes back in time`);
    }
    assert.equal(spanNs(seen[3], seen[5]), 200_000_000);
    // Paced, not delivered in one burst: 0.2 s before the jump and 0.2 s after it.
    assert.ok(ms >= 380, `took ${ms} ms`);
    const after = (seen[5]?.at ?? 0) - (seen[3]?.at ?? 0);
    assert.ok(after >= 180, `the packets after the jump came ${after} ms apart`);
  });
});
