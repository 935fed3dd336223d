import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { acceptsGzip, tickBody } from "./tick-body.js";

describe("per-tick bodies", () => {
  test("gzip is accepted when listed without q=0, in any case and position", () => {
    for (const header of ["gzip", "GZIP", "br, gzip", "gzip;q=0.5", "br;q=1, gzip;q=0.5, *;q=0"]) {
      assert.equal(acceptsGzip(header), true, header);
    }
    for (const header of [undefined, "", "br", "gzip;q=0", "gzip;q=0.000", "x-gzip", "deflate"]) {
      assert.equal(acceptsGzip(header), false, String(header));
    }
  });

  test("a body is serialised once and gzipped at most once, on first demand", () => {
    const body = tickBody({ flows: Array.from({ length: 100 }, (_, i) => ({ i })) });
    assert.equal(
      body.json,
      JSON.stringify({ flows: Array.from({ length: 100 }, (_, i) => ({ i })) }),
    );
    const gz = body.gzip();
    assert.equal(body.gzip(), gz, "the same buffer the second time");
    assert.equal(gunzipSync(gz).toString(), body.json);
  });
});
