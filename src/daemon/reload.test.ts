import assert from "node:assert/strict";
import { test } from "node:test";
import { KNOWN_HASHES } from "../../test/support/known-hashes.js";
import { memoryLogger } from "../../test/support/log.js";
import type { AlertsConfig } from "../alerts/types.js";
import { loadUsers } from "../auth/index.js";
import { type NetnetConfig, parseConfig } from "../config/config.js";
import { createReload, restartNeeded, type Settings } from "./reload.js";

const HASH = KNOWN_HASHES[0][0];

function config(doc: Record<string, unknown>): NetnetConfig {
  return parseConfig({
    users: [
      { username: "alice", password: HASH },
      { username: "bob", password: HASH },
    ],
    ...doc,
  });
}

async function setup(running: NetnetConfig, next: () => NetnetConfig) {
  const { log, lines } = memoryLogger();
  const settings: Settings = {
    config: { ...running, users: [] },
    users: await loadUsers(running, { log }),
  };
  const calls: string[] = [];
  const reload = createReload(
    settings,
    {
      log,
      setFilter: async (e) => {
        calls.push(`filter ${e}`);
      },
      revokeUser: (name) => calls.push(`revoke ${name}`),
      setRetentionDays: (d) => calls.push(`retention ${d}`),
      configureAlerts: (a: AlertsConfig) => calls.push(`alerts ${a.bandwidth.enabled}`),
    },
    next,
    "/etc/netnet.yaml",
  );
  return { reload, settings, calls, lines, log };
}

test("live changes apply, removed users lose their sessions, restart keys are named", async () => {
  const running = config({});
  const next = parseConfig({
    users: [{ username: "alice", password: HASH }],
    interface: { bpf_filter: "tcp" },
    logging: { level: "debug" },
    database: { retention_days: 3 },
    api: { port: 9999 },
    alerts: { bandwidth: { enabled: true } },
  });
  const { reload, settings, calls, log } = await setup(running, () => next);
  const r = await reload();
  assert.deepEqual(r, { configPath: "/etc/netnet.yaml", restartNeeded: ["api.port"] });
  assert.deepEqual(calls, ["filter tcp", "revoke bob", "retention 3", "alerts true"]);
  assert.deepEqual([...settings.users.hashes.keys()], ["alice"]);
  assert.equal(log.level, "debug");
  // The running config keeps no password.
  assert.deepEqual(settings.config.users, []);
  assert.equal(settings.config.api.port, 9999);
});

test("a config that would expose the API changes nothing", async () => {
  const running = config({});
  const bad = parseConfig({
    api: { host: "0.0.0.0", token: "short" },
    users: [],
    interface: { bpf_filter: "udp" },
  });
  const { reload, settings, calls } = await setup(running, () => bad);
  await assert.rejects(reload(), /api\.token has 5 characters/);
  assert.deepEqual(calls, []);
  assert.equal(settings.config.interface.bpf_filter, "");
  assert.deepEqual([...settings.users.hashes.keys()], ["alice", "bob"]);
});

test("a config file that cannot be read changes nothing", async () => {
  const running = config({});
  const { reload, settings, calls } = await setup(running, () => {
    throw new Error("cannot read config file /etc/netnet.yaml");
  });
  const before = settings.config;
  await assert.rejects(reload(), /cannot read config file/);
  assert.deepEqual(calls, []);
  assert.equal(settings.config, before);
});

test("restartNeeded names exactly the keys that differ", () => {
  const a = config({});
  assert.deepEqual(restartNeeded(a, a), []);
  assert.deepEqual(
    restartNeeded(a, config({ stats: { window_size: 10 }, interface: { snaplen: 128 } })),
    ["interface.snaplen", "stats"],
  );
  // Live keys are not restart keys.
  assert.deepEqual(restartNeeded(a, config({ logging: { level: "warn" } })), []);
});

test("H2: on reload a user given another password loses its sessions; unchanged users keep theirs", async () => {
  const running = config({});
  const next = parseConfig({
    users: [
      { username: "alice", password: HASH },
      { username: "bob", password: KNOWN_HASHES[2][0] },
    ],
  });
  const { reload, settings, calls } = await setup(running, () => next);
  await reload();
  assert.deepEqual(calls, ["revoke bob", "alerts true"]);
  assert.equal(settings.users.hashes.get("bob"), KNOWN_HASHES[2][0]);
});

test("H2: a plaintext password (loopback) that did not change keeps its hash, and its sessions, on reload", async () => {
  const plain = (password: string) =>
    parseConfig({ users: [{ username: "demo", password }], api: { host: "127.0.0.1" } });
  const { log } = memoryLogger();
  const settings: Settings = {
    config: { ...plain("demo-pass"), users: [] },
    users: await loadUsers(plain("demo-pass"), { log, cost: 4 }),
  };
  const before = settings.users.hashes.get("demo");
  let next = plain("demo-pass");
  const calls: string[] = [];
  const reload = createReload(
    settings,
    {
      log,
      setFilter: async () => {},
      revokeUser: (name) => calls.push(`revoke ${name}`),
      setRetentionDays: () => {},
      configureAlerts: () => {},
    },
    () => next,
    "/etc/netnet.yaml",
  );
  await reload();
  assert.equal(settings.users.hashes.get("demo"), before, "the same hash, not a new salt");
  assert.deepEqual(calls, []);
  next = plain("another-pass");
  await reload();
  assert.notEqual(settings.users.hashes.get("demo"), before);
  assert.deepEqual(calls, ["revoke demo"]);
});
