/**
 * Answers that change only once per tick, computed once per tick. The first request for a
 * key computes it; every request for the same key until the next snapshot shares that
 * answer (identical questions to the capture worker, and the serialised JSON of identical
 * responses). Bounded: at most `max` keys are remembered; a failed answer is not remembered.
 */
export class TickCache<T> {
  private tick = -1;
  private readonly answers = new Map<string, Promise<T>>();

  constructor(
    private readonly currentTick: () => number,
    private readonly max = 64,
  ) {}

  get(key: string, make: () => Promise<T>): Promise<T> {
    const now = this.currentTick();
    if (now !== this.tick || this.answers.size >= this.max) {
      this.answers.clear();
      this.tick = now;
    }
    let answer = this.answers.get(key);
    if (answer === undefined) {
      answer = make();
      this.answers.set(key, answer);
      answer.catch(() => this.answers.delete(key));
    }
    return answer;
  }
}
