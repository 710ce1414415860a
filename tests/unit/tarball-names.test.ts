import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { baseImageTag, isTempFile, nextTimestamp, parseTarballName, tarballFileName, TEMP_PREFIX, TEMP_SUFFIX } from "@/lib/tarballs/names";
import { groupEnvironments } from "@/lib/tarballs/store";

describe("tarball names (the Runners' rule)", () => {
  it("splits <name>-<unix seconds>.tar, the name taking every dash but the last", () => {
    assert.deepEqual(parseTarballName("my-env-1700000000.tar"), { env: "my-env", timestamp: 1700000000 });
    assert.deepEqual(parseTarballName("hakuriver-base-1.tar"), { env: "hakuriver-base", timestamp: 1 });
    assert.deepEqual(parseTarballName("a.b_c-42.tar"), { env: "a.b_c", timestamp: 42 });
  });

  it("ignores everything else", () => {
    for (const f of ["env.tar", "env-12.tar.gz", "env-x.tar", "../env-1.tar", "env 1-1.tar", "env-1.TAR", "envé-1.tar", "-1.tar"]) {
      assert.equal(parseTarballName(f), undefined, f);
    }
  });

  it("never lets a temporary file look like a version", () => {
    const temp = `${TEMP_PREFIX}my-env-abc123${TEMP_SUFFIX}`;
    assert.equal(isTempFile(temp), true);
    assert.equal(parseTarballName(temp), undefined);
    assert.equal(isTempFile("my-env-1.tar"), false);
  });

  it("builds the file name and the image tag Runners load", () => {
    assert.equal(tarballFileName("env", 5), "env-5.tar");
    assert.equal(baseImageTag("env"), "hakuriver/env:base");
  });

  it("never reuses a timestamp: the next is after the newest existing one", () => {
    assert.equal(nextTimestamp(100, []), 100);
    assert.equal(nextTimestamp(100, [50, 99]), 100);
    assert.equal(nextTimestamp(100, [100]), 101);
    assert.equal(nextTimestamp(100, [100, 101, 90]), 102);
  });

  it("groups versions by environment, newest first", () => {
    const envs = groupEnvironments([
      { file: "b-1.tar", env: "b", timestamp: 1, size: 1 },
      { file: "a-5.tar", env: "a", timestamp: 5, size: 2 },
      { file: "a-9.tar", env: "a", timestamp: 9, size: 3 },
    ]);
    assert.deepEqual(envs.map((e) => [e.name, e.latest.file, e.versions.length, e.totalSize]), [
      ["a", "a-9.tar", 2, 5],
      ["b", "b-1.tar", 1, 1],
    ]);
  });
});
