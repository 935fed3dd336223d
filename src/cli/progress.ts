/**
 * A progress bar on stderr, drawn only when stderr is a terminal and at most ten times a
 * second. Cleared when done so the report that follows starts on a clean line.
 */
import { formatShort } from "../util/units.js";

export class ProgressBar {
  private last = 0;
  private readonly started = performance.now();
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly packets: () => number,
  ) {}

  static forStderr(packets: () => number): ProgressBar | null {
    return process.stderr.isTTY ? new ProgressBar(process.stderr, packets) : null;
  }

  update(done: number, total: number): void {
    const now = performance.now();
    if (now - this.last < 100 && done < total) return;
    this.last = now;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const width = 30;
    const full = Math.round(frac * width);
    const secs = (now - this.started) / 1000;
    const pkts = this.packets();
    const rate = secs > 0 ? pkts / secs : 0;
    const line = `[${"#".repeat(full)}${".".repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}%  ${formatShort(pkts)} packets  ${formatShort(rate)} pps`;
    this.stream.write(`\r${line}`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.stream.write("\r\x1b[2K");
    this.drawn = false;
  }
}
