import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as statuses from "./decode-status.js";

describe("decode status codes", () => {
  it("gives every code a unique number that indexes its reason name", () => {
    const seen = new Set<number>();
    for (const [name, code] of Object.entries(statuses)) {
      if (typeof code !== "number") continue;
      assert.ok(!seen.has(code), `${name} reuses ${code}`);
      seen.add(code);
      assert.equal(
        statuses.DECODE_REASONS[code],
        name.toLowerCase().replace("decode_ok", "ok"),
        name,
      );
    }
    assert.equal(seen.size, statuses.DECODE_REASONS.length);
  });

  it("keeps the published numbers of the first codes", () => {
    assert.equal(statuses.DECODE_OK, 0);
    assert.equal(statuses.TRUNCATED_ETHERNET, 1);
    assert.equal(statuses.UNSUPPORTED_LINK_TYPE, 20);
    assert.equal(statuses.TRUNCATED_IP, 21);
  });
});
