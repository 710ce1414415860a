import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalImageRef, canonicalTags, sameImageRef, shownImageRef } from "@/lib/shared/image-refs";

describe("image references, as engines report them, in one form", () => {
  it("drops Docker Hub's and Podman's local prefixes, as a Runner's short-name lookup does", () => {
    const cases: [string, string][] = [
      ["hakuriver/x:base", "hakuriver/x:base"],
      ["localhost/hakuriver/x:base", "hakuriver/x:base"],
      ["docker.io/hakuriver/x:base", "hakuriver/x:base"],
      ["index.docker.io/hakuriver/x:base", "hakuriver/x:base"],
      ["docker.io/library/busybox:latest", "busybox:latest"],
      ["library/busybox:1", "library/busybox:1"],
      ["busybox", "busybox:latest"],
      ["docker.io/library/team/x:1", "library/team/x:1"],
      ["kohakuriver/env:base", "kohakuriver/env:base"],
    ];
    for (const [input, expected] of cases) assert.equal(canonicalImageRef(input), expected, input);
  });

  it("keeps real registries, ports and IPv6 hosts", () => {
    assert.equal(canonicalImageRef("localhost:5000/hakuriver/x:base"), "localhost:5000/hakuriver/x:base");
    assert.equal(canonicalImageRef("127.0.0.1:5055/hakuriver-test/pullable:3"), "127.0.0.1:5055/hakuriver-test/pullable:3");
    assert.equal(canonicalImageRef("ghcr.io/org/img"), "ghcr.io/org/img:latest");
    assert.equal(canonicalImageRef("[::1]:5000/a:b"), "[::1]:5000/a:b");
  });

  it("keeps digests, with the same prefixes dropped", () => {
    const d = `sha256:${"a".repeat(64)}`;
    assert.equal(canonicalImageRef(`localhost/hakuriver/x@${d}`), `hakuriver/x@${d}`);
    assert.equal(canonicalImageRef(`docker.io/library/busybox:1@${d}`), `busybox:1@${d}`);
    assert.notEqual(canonicalImageRef(`hakuriver/x@${d}`), "hakuriver/x:latest", "a digest is not the :latest tag");
  });

  it("refuses what is not a reference", () => {
    for (const bad of ["<none>:<none>", "<none>@<none>", "", "Hakuriver/X:base", "a:b:c"]) assert.equal(canonicalImageRef(bad), undefined, bad);
  });

  it("compares names across engines", () => {
    assert.ok(sameImageRef("localhost/hakuriver/x:base", "hakuriver/x:base"));
    assert.ok(sameImageRef("docker.io/hakuriver/x:base", "localhost/hakuriver/x:base"));
    assert.ok(!sameImageRef("hakuriver/x:base", "hakuriver/x:v1"));
    assert.ok(!sameImageRef("localhost:5000/hakuriver/x:base", "hakuriver/x:base"));
    assert.ok(!sameImageRef("<none>:<none>", "<none>:<none>"));
  });

  it("lists an image's tags once each, without placeholders or digests", () => {
    assert.deepEqual(
      canonicalTags(["localhost/hakuriver/x:base", "docker.io/hakuriver/x:base", "<none>:<none>", `hakuriver/x@sha256:${"b".repeat(64)}`, "hakuriver/x:v12"]),
      ["hakuriver/x:base", "hakuriver/x:v12"],
    );
    assert.deepEqual(canonicalTags(null), []);
  });

  it("shows names as Docker would, adding nothing", () => {
    assert.equal(shownImageRef("localhost/hakuriver/x:v12"), "hakuriver/x:v12");
    assert.equal(shownImageRef("docker.io/library/busybox"), "busybox");
    assert.equal(shownImageRef("0cf01a8073af"), "0cf01a8073af");
    assert.equal(shownImageRef(`sha256:${"d".repeat(64)}`), `sha256:${"d".repeat(64)}`);
    assert.equal(shownImageRef("<none>"), "<none>");
  });
});
