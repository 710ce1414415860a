import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createContainerSchema, envNameSchema } from "@/lib/schemas";
import { parseImageReference } from "@/lib/shared/validation";

describe("HakuRiver Container Name", () => {
  it("accepts lowercase names HakuRiver can use as tag and tarball prefix", () => {
    for (const name of ["my-dev-env", "a", "env_1.2", "0abc", "x".repeat(63)]) {
      assert.equal(envNameSchema.safeParse(name).success, true, name);
    }
  });

  it("refuses uppercase, spaces, traversal, unicode, leading punctuation and 64+ characters", () => {
    const cases: [string, RegExp][] = [
      ["MyEnv", /lowercase/],
      ["my env", /may use/],
      ["../etc", /may use/],
      ["envé", /may use/],
      ["-env", /must start/],
      [".env", /must start/],
      ["", /required/],
      ["x".repeat(64), /at most 63/],
    ];
    for (const [name, message] of cases) {
      const result = envNameSchema.safeParse(name);
      assert.equal(result.success, false, name);
      assert.match(result.error!.issues[0].message, message, name);
    }
  });
});

describe("Docker Image Name", () => {
  it("adds :latest when no tag or digest is given, since an untagged pull fetches every tag", () => {
    assert.equal(parseImageReference("ubuntu")?.normalized, "ubuntu:latest");
    assert.equal(parseImageReference("python:3.11-slim")?.normalized, "python:3.11-slim");
    assert.equal(parseImageReference("tensorflow/tensorflow:latest-gpu")?.normalized, "tensorflow/tensorflow:latest-gpu");
  });

  it("recognises registries with a port, a dot or localhost", () => {
    const ref = parseImageReference("127.0.0.1:5055/hakuriver-test/pullable:2");
    assert.deepEqual(
      { domain: ref?.domain, path: ref?.path, tag: ref?.tag },
      { domain: "127.0.0.1:5055", path: "hakuriver-test/pullable", tag: "2" },
    );
    assert.equal(parseImageReference("localhost/foo")?.domain, "localhost");
    assert.equal(parseImageReference("ghcr.io/org/img:1")?.domain, "ghcr.io");
    assert.equal(parseImageReference("library/ubuntu")?.domain, undefined);
  });

  it("keeps digests", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    assert.equal(parseImageReference(`alpine@${digest}`)?.normalized, `alpine@${digest}`);
  });

  it("refuses what Docker would refuse", () => {
    for (const bad of ["", "Ubuntu", "ubuntu:", "ubuntu:la test", "a//b", "-x", "ubuntu:-tag", "x".repeat(256), "ubuntu; rm -rf /", "UPPER/path"]) {
      assert.equal(parseImageReference(bad), undefined, bad);
    }
  });

  it("validates both fields together for Create", () => {
    const result = createContainerSchema.safeParse({ image: "busybox", name: "Bad Name" });
    assert.equal(result.success, false);
    assert.deepEqual(result.error!.issues.map((i) => i.path[0]), ["name"]);
  });
});
