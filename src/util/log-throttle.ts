/**
 * A cap on log lines that can repeat at will: "unauthorized request", which a client causes,
 * or "history write failed", which a full disk causes on every tick. Each event is worth a
 * line, but a flood of them must not fill the disk: 10,000 bad requests a second would write
 * gigabytes an hour. So at most `limit` lines are written per `windowMs`. The rest are
 * counted, and the next line written carries the count (`suppressed`), as syslog's "message
 * repeated N times" does. Memory is three numbers, whatever the number of clients.
 */
export class LogThrottle {
  private windowStart = Number.NEGATIVE_INFINITY;
  private written = 0;
  private suppressed = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /**
   * Whether to write the line for an event at `now` (ms). Returns the number of events not
   * written since the last line (0 or more) when the line should be written, or -1 when it
   * should not (the event is then counted).
   */
  admit(now: number): number {
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.written = 0;
    }
    if (this.written >= this.limit) {
      this.suppressed++;
      return -1;
    }
    this.written++;
    const n = this.suppressed;
    this.suppressed = 0;
    return n;
  }

  /** Writes `msg` at warn level with `fields`, plus `suppressed` when lines were held back,
   * unless the cap for this window is reached (then the event is only counted). */
  warn(
    log: { warn(obj: object, msg: string): void },
    fields: object,
    msg: string,
    now = Date.now(),
  ): void {
    const suppressed = this.admit(now);
    if (suppressed < 0) return;
    log.warn(suppressed > 0 ? { ...fields, suppressed } : fields, msg);
  }
}
