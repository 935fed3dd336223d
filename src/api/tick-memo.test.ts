import assert from "node:assert/strict";
import { test } from "node:test";
import { memoPerTick } from "./tick-memo.js";

test("identical questions within a tick are asked once; a new tick asks again", async () => {
  let tick = 1;
  const asked: string[] = [];
  const memo = memoPerTick(
    async (q: { page: number }) => {
      asked.push(`${tick}:${q.page}`);
      return q.page * 10;
    },
    () => tick,
  );
  assert.deepEqual(
    await Promise.all([memo({ page: 1 }), memo({ page: 1 }), memo({ page: 2 })]),
    [10, 10, 20],
  );
  assert.deepEqual(asked, ["1:1", "1:2"]);
  tick = 2;
  assert.equal(await memo({ page: 1 }), 10);
  assert.deepEqual(asked, ["1:1", "1:2", "2:1"]);
});

test("a failed answer is not remembered, and the memo stays bounded", async () => {
  let calls = 0;
  const memo = memoPerTick(
    async (q: number) => {
      calls++;
      if (calls === 1) throw new Error("worker busy");
      return q;
    },
    () => 7,
    2,
  );
  await assert.rejects(memo(1), /worker busy/);
  assert.equal(await memo(1), 1);
  assert.equal(calls, 2);
  await memo(2);
  await memo(3); // the third distinct question clears the memo
  await memo(1);
  assert.equal(calls, 5);
});
