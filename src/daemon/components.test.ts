import assert from "node:assert/strict";
import { test } from "node:test";
import { memoryLogger } from "../../test/support/log.js";
import { type Component, startComponents } from "./components.js";

/** Components that record their starts and stops; `failStart` / `failStop` name one that fails. */
function recorded(names: string[], opts: { failStart?: string; failStop?: string } = {}) {
  const events: string[] = [];
  const components: Component[] = names.map((name) => ({
    name,
    async start() {
      await Promise.resolve();
      if (name === opts.failStart) throw new Error(`${name} cannot start`);
      events.push(`start ${name}`);
    },
    stop() {
      events.push(`stop ${name}`);
      if (name === opts.failStop) throw new Error(`${name} cannot stop`);
    },
  }));
  return { events, components };
}

test("components start in order and stop in reverse, once", async () => {
  const { log } = memoryLogger();
  const { events, components } = recorded(["capture", "history", "api"]);
  const started = await startComponents(components, log);
  assert.deepEqual(events, ["start capture", "start history", "start api"]);
  await Promise.all([started.stop(), started.stop()]);
  await started.stop();
  assert.deepEqual(events.slice(3), ["stop api", "stop history", "stop capture"]);
});

test("a failed start stops what already started, in reverse, and throws the start's error", async () => {
  const { log } = memoryLogger();
  const { events, components } = recorded(["capture", "privileges", "history", "api"], {
    failStart: "history",
  });
  await assert.rejects(startComponents(components, log), /history cannot start/);
  assert.deepEqual(events, [
    "start capture",
    "start privileges",
    "stop privileges",
    "stop capture",
  ]);
});

test("a failing stop is logged and the components before it still stop", async () => {
  const { log, lines } = memoryLogger();
  const { events, components } = recorded(["a", "b", "c"], { failStop: "b" });
  const started = await startComponents(components, log);
  await started.stop();
  assert.deepEqual(events.slice(3), ["stop c", "stop b", "stop a"]);
  const line = lines.find((l) => l.msg === "component failed to stop");
  assert.equal(line?.level, "error");
  assert.equal(line?.component, "b");
  assert.equal(line?.error, "b cannot stop");
});

test("components without a start or a stop are allowed", async () => {
  const { log } = memoryLogger();
  const started = await startComponents([{ name: "nothing" }], log);
  await started.stop();
});
