import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { flavorOf } from "@/lib/shared/flavor";
import {
  createdSeconds,
  isTempFile,
  nextTimestamp,
  parseTarballName,
  planTimestamp,
  restoredName,
  tarballFileName,
  timestampForImage,
  TEMP_PREFIX,
  TEMP_SUFFIX,
} from "@/lib/shared/tarball-names";
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
    assert.equal(flavorOf("hakuriver").baseImage("env").ref, "hakuriver/env:base");
    assert.equal(flavorOf("kohakuriver").baseImage("env").ref, "kohakuriver/env:base");
  });

  it("names environment containers by flavour and reads them back", () => {
    const haku = flavorOf("hakuriver");
    const kohaku = flavorOf("kohakuriver");
    assert.equal(haku.containerName("torch"), "torch");
    assert.equal(kohaku.containerName("torch"), "kohakuriver-env-torch");
    assert.equal(haku.envFromContainerName("torch"), "torch");
    assert.equal(haku.envFromContainerName("Torch"), undefined, "mixed case is no environment name");
    assert.equal(kohaku.envFromContainerName("kohakuriver-env-torch"), "torch");
    assert.equal(kohaku.envFromContainerName("torch"), undefined);
    assert.equal(kohaku.envFromContainerName("kohakuriver-task-123"), undefined);
    assert.deepEqual(kohaku.labels, { managed: "kohakuriver.managed", env: "kohakuriver.env" });
  });

  it("takes the timestamp before the commit, waiting for the next second when the current one is taken", () => {
    assert.deepEqual(planTimestamp(100_400, []), { timestamp: 100, waitMs: 0 });
    assert.deepEqual(planTimestamp(100_400, [99]), { timestamp: 100, waitMs: 0 });
    assert.deepEqual(planTimestamp(100_400, [100]), { timestamp: 101, waitMs: 600 });
    assert.deepEqual(planTimestamp(100_400, [103, 100]), { timestamp: 104, waitMs: 3600 });
  });

  it("never dates a version after its image's Created second, nor at or before an existing version", () => {
    // The usual case: the commit lands in the planned second or later.
    assert.equal(timestampForImage(100, 100, [99]), 100);
    assert.equal(timestampForImage(100, 105, [99]), 100);
    // An engine whose clock is behind: its Created second, if still newest.
    assert.equal(timestampForImage(100, 98, [90]), 98);
    assert.equal(timestampForImage(100, 98, [98]), undefined);
    assert.equal(createdSeconds("2026-11-28T22:10:03.999999999Z"), Date.UTC(2026, 10, 28, 22, 10, 3) / 1000);
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

describe("the name New container from this version suggests", () => {
  it("is <env>-restored, cut to fit 63 characters, and always a valid name", async () => {
    const { envNameProblem } = await import("@/lib/shared/validation");
    assert.equal(restoredName("my-env"), "my-env-restored");
    for (const env of ["a".repeat(63), `${"b".repeat(53)}-${"c".repeat(9)}`, `${"d".repeat(53)}.x`]) {
      const name = restoredName(env);
      assert.ok(name.length <= 63, name);
      assert.match(name, /^[a-z]+-restored$/);
      assert.equal(envNameProblem(name), undefined, name);
    }
  });
});
