import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkApiToken, extractCredentials, REDACTED, redactUrl } from "./credentials.js";

describe("checkApiToken", () => {
  const configured = "0123456789abcdef0123456789abcdef";

  test("the same token matches", () => {
    assert.equal(checkApiToken(configured, configured), true);
    assert.equal(checkApiToken("ünïcode-tøken", "ünïcode-tøken"), true);
  });

  test("any difference, in content or length, does not", () => {
    assert.equal(checkApiToken(`${configured.slice(0, -1)}0`, configured), false);
    assert.equal(checkApiToken(configured.slice(0, -1), configured), false);
    assert.equal(checkApiToken(`${configured}f`, configured), false);
    assert.equal(checkApiToken(configured.toUpperCase(), configured), false);
    assert.equal(checkApiToken(` ${configured}`, configured), false);
  });

  test("an empty configured token disables API-token authentication", () => {
    assert.equal(checkApiToken("", ""), false);
    assert.equal(checkApiToken("anything", ""), false);
    assert.equal(checkApiToken(undefined, ""), false);
  });

  test("a missing or empty presented token never matches", () => {
    assert.equal(checkApiToken(undefined, configured), false);
    assert.equal(checkApiToken("", configured), false);
  });
});

describe("extractCredentials", () => {
  const token = "6f1c2f1e-8d2a-4b7c-9e3f-0a1b2c3d4e5f";

  test("X-Session-Token gives the session token", () => {
    assert.deepEqual(extractCredentials({ "x-session-token": token }, "/metrics"), {
      sessionToken: token,
    });
    assert.deepEqual(extractCredentials({ "x-session-token": ` ${token} ` }, "/metrics"), {
      sessionToken: token,
    });
    assert.deepEqual(extractCredentials({ "x-session-token": [token, "other"] }, "/metrics"), {
      sessionToken: token,
    });
  });

  test("Authorization: Bearer gives the API token, whatever the scheme's case", () => {
    for (const auth of ["Bearer abc123", "bearer abc123", "BEARER   abc123"]) {
      assert.deepEqual(extractCredentials({ authorization: auth }, "/metrics"), {
        apiToken: "abc123",
      });
    }
  });

  test("?token= gives the API token, decoded", () => {
    assert.deepEqual(extractCredentials({}, "/metrics?token=abc123"), { apiToken: "abc123" });
    assert.deepEqual(extractCredentials({}, "/metrics/history?limit=5&token=a%2Bb%20c&x=1"), {
      apiToken: "a+b c",
    });
    assert.deepEqual(extractCredentials({}, "/metrics?token=abc#frag"), { apiToken: "abc" });
  });

  test("the Bearer header wins over ?token=; both kinds can come together", () => {
    assert.deepEqual(
      extractCredentials(
        { authorization: "Bearer from-header", "x-session-token": token },
        "/metrics?token=from-query",
      ),
      { sessionToken: token, apiToken: "from-header" },
    );
  });

  test("empty values, other schemes and no credentials give nothing", () => {
    assert.deepEqual(extractCredentials({}, "/metrics"), {});
    assert.deepEqual(extractCredentials({ "x-session-token": "  " }, "/metrics?token="), {});
    assert.deepEqual(extractCredentials({ authorization: "Bearer" }, "/metrics"), {});
    assert.deepEqual(extractCredentials({ authorization: "Bearer a b" }, "/metrics"), {});
    assert.deepEqual(extractCredentials({ authorization: "Basic YWRtaW46eA==" }, "/metrics"), {});
    assert.deepEqual(
      extractCredentials({ authorization: "Basic YWRtaW46eA==" }, "/metrics?token=q"),
      { apiToken: "q" },
    );
    assert.deepEqual(extractCredentials({}, "/metrics?tokens=x&mytoken=y"), {});
  });
});

describe("redactUrl", () => {
  test("replaces every token value and leaves the rest exactly", () => {
    assert.equal(redactUrl("/metrics?token=s3cret"), `/metrics?token=${REDACTED}`);
    assert.equal(
      redactUrl("/metrics/history?start=1&token=s3cret&limit=5"),
      `/metrics/history?start=1&token=${REDACTED}&limit=5`,
    );
    assert.equal(
      redactUrl("/x?token=a&token=b#frag?token=c"),
      `/x?token=${REDACTED}&token=${REDACTED}#frag?token=c`,
    );
    assert.equal(redactUrl("/x?token"), `/x?token=${REDACTED}`);
    assert.equal(redactUrl("/x?token="), `/x?token=${REDACTED}`);
  });

  test("catches the key however it is spelt", () => {
    assert.equal(redactUrl("/x?TOKEN=s3cret"), `/x?TOKEN=${REDACTED}`);
    assert.equal(redactUrl("/x?%74oken=s3cret"), `/x?%74oken=${REDACTED}`);
    assert.equal(redactUrl("/x?%74oken=s3cret").includes("s3cret"), false);
  });

  test("leaves URLs without a token untouched", () => {
    for (const url of ["/metrics", "/metrics?", "/x?tokens=1&mytoken=2", "/x?a=%zz", "/token=1"]) {
      assert.equal(redactUrl(url), url);
    }
  });

  test("every token that extractCredentials would accept is redacted", () => {
    for (const url of ["/m?token=zzz", "/m?a=1&%74%6Fken=zzz", "/m?token=zzz&token=yyy"]) {
      assert.ok(extractCredentials({}, url).apiToken !== undefined, url);
      assert.equal(redactUrl(url).includes("zzz"), false, url);
    }
  });
});
