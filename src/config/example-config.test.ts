import assert from "node:assert/strict";
import { test } from "node:test";
import { REPO_ROOT } from "../../test/support/paths.js";
import { defaultConfig, loadConfigFile } from "./config.js";

test("examples/netnet.yaml is valid and states the defaults", () => {
  const fromFile = loadConfigFile(`${REPO_ROOT}examples/netnet.yaml`, {});
  assert.deepEqual(fromFile, defaultConfig());
});
