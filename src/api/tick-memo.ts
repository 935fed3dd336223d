/**
 * Coalesces identical questions to the capture worker within one tick: the first request
 * asks, every identical one until the next snapshot shares its answer (the answers only
 * change once per tick anyway). Bounded: at most `max` distinct questions are remembered.
 */
export function memoPerTick<Q, R>(
  ask: (q: Q) => Promise<R>,
  currentTick: () => number,
  max = 64,
): (q: Q) => Promise<R> {
  let tick = -1;
  const answers = new Map<string, Promise<R>>();
  return (q: Q) => {
    const now = currentTick();
    if (now !== tick || answers.size >= max) {
      answers.clear();
      tick = now;
    }
    const key = JSON.stringify(q);
    let answer = answers.get(key);
    if (answer === undefined) {
      answer = ask(q);
      answers.set(key, answer);
      // A failed question is asked again next time, not remembered.
      answer.catch(() => answers.delete(key));
    }
    return answer;
  };
}
