import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pullHint, saidOnce } from "@/lib/docker/errors";

describe("Docker's words in our messages", () => {
  it("says a repeated part once", () => {
    assert.equal(saidOnce("manifest unknown: manifest unknown"), "manifest unknown");
    assert.equal(saidOnce("Get \"http://x/v2/\": dial tcp 127.0.0.1:1: connect: connection refused"), "Get \"http://x/v2/\": dial tcp 127.0.0.1:1: connect: connection refused");
    assert.equal(saidOnce("a: b: b: c"), "a: b: c");
  });

  it("gives a hint for the common causes of a failed pull, and none for the rest", () => {
    assert.match(pullHint("dial tcp: lookup registry.lab on 127.0.0.53:53: no such host", "registry.lab")!, /cannot resolve registry\.lab/);
    assert.match(pullHint("dial tcp 127.0.0.1:9: connect: connection refused", "127.0.0.1:9")!, /Nothing answers at 127\.0\.0\.1:9/);
    assert.match(pullHint("net/http: request canceled while waiting for connection (Client.Timeout exceeded) i/o timeout", "r:5000")!, /No route/);
    assert.match(pullHint("manifest unknown", "127.0.0.1:5055")!, /no such image or tag/);
    assert.equal(pullHint("layer is corrupt", "x"), undefined);
  });
});
