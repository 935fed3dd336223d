import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ApiError } from "./api-error.js";
import { requireAlerts, requireHistory, requireSnapshot } from "./unavailable.js";

describe("503 for data the daemon does not have", () => {
  test("each missing source is a 503 with its own message", () => {
    const cases: [() => unknown, string][] = [
      [() => requireSnapshot(null), "no statistics yet: the capture worker is starting"],
      [() => requireHistory(null), "history is not kept (no database)"],
      [() => requireAlerts(null), "alerts are not kept (no database)"],
    ];
    for (const [call, message] of cases) {
      assert.throws(call, (err: unknown) => {
        assert.ok(err instanceof ApiError);
        assert.deepEqual(
          [err.status, err.code, err.body()],
          [503, "ERR_API_UNAVAILABLE", { error: message }],
        );
        return true;
      });
    }
  });

  test("a source that is there is returned as it is", () => {
    const history = { queryHistory: () => null };
    assert.equal(requireHistory(history), history);
    const alerts = { queryAlerts: () => null };
    assert.equal(requireAlerts(alerts), alerts);
  });
});
