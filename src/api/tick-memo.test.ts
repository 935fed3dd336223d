import assert from "node:assert/strict";
import { test } from "node:test";
import { TickCache } from "./tick-memo.js";

test("identical questions within a tick are asked once; a new tick asks again", async () => {
  let tick = 1;
  const asked: string[] = [];
  const cache = new TickCache<number>(() => tick);
  const ask = (page: number) =>
    cache.get(`page:${page}`, async () => {
      asked.push(`${tick}:${page}`);
      return page * 10;
    });
  assert.deepEqual(await Promise.all([ask(1), ask(1), ask(2)]), [10, 10, 20]);
  assert.deepEqual(asked, ["1:1", "1:2"]);
  tick = 2;
  assert.equal(await ask(1), 10);
  assert.deepEqual(asked, ["1:1", "1:2", "2:1"]);
});

test("a failed answer is not remembered, and the cache stays bounded", async () => {
  let calls = 0;
  const cache = new TickCache<number>(() => 7, 2);
  const ask = (q: number) =>
    cache.get(String(q), async () => {
      calls++;
      if (calls === 1) throw new Error("worker busy");
      return q;
    });
  await assert.rejects(ask(1), /worker busy/);
  assert.equal(await ask(1), 1);
  assert.equal(calls, 2);
  await ask(2);
  await ask(3); // the third distinct question clears the cache
  await ask(1);
  assert.equal(calls, 5);
});
