import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compressionOf } from "@/lib/tarballs/archive";
import { loadedTag, runnerContract, runnerImageIndex } from "@/lib/tarballs/save";

describe("archive formats and the Runner contract", () => {
  it("tells the compressions docker load detects by their magic bytes", () => {
    assert.equal(compressionOf(Buffer.from([0x1f, 0x8b, 0x08, 0])), "gzip");
    assert.equal(compressionOf(Buffer.from("BZh91AY")), "bzip2");
    assert.equal(compressionOf(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])), "xz");
    assert.equal(compressionOf(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])), "zstd");
    assert.equal(compressionOf(Buffer.from("manifest.json\0")), undefined);
    assert.equal(compressionOf(Buffer.alloc(0)), undefined);
  });

  it("names tags as the engine does after docker load", () => {
    assert.equal(loadedTag("docker.io/hakuriver/x:base"), "hakuriver/x:base");
    assert.equal(loadedTag("docker.io/library/busybox:1"), "busybox:1");
    assert.equal(loadedTag("index.docker.io/hakuriver/x:base"), "hakuriver/x:base");
    assert.equal(loadedTag("localhost/hakuriver/x:base"), "localhost/hakuriver/x:base");
    assert.equal(loadedTag("hakuriver/x:base"), "hakuriver/x:base");
  });

  it("gives a tag named twice to the last entry", () => {
    const m = [{ RepoTags: ["hakuriver/x:base"] }, { RepoTags: ["a:1"] }, { RepoTags: ["docker.io/hakuriver/x:base"] }];
    assert.equal(runnerImageIndex(m, "hakuriver/x:base"), 2);
    assert.equal(runnerImageIndex(m, "hakuriver/y:base"), -1);
  });

  it("checks the tag and that the name's timestamp is not later than Created", () => {
    const images = [{ RepoTags: ["hakuriver/x:base"] }];
    const created = new Date(1_700_000_000_500).toISOString();
    assert.equal(runnerContract("x-1700000000.tar", images, created).ok, true);
    const late = runnerContract("x-1700000001.tar", images, created);
    assert.equal(late.ok, false);
    assert.match(late.problems[0], /Runners would load this before every task\. Rename it to x-1700000000\.tar/);
    const wrongTag = runnerContract("x-1700000000.tar", [{ RepoTags: ["localhost/hakuriver/x:base"] }], created);
    assert.match(wrongTag.problems[0], /does not give this file the tag hakuriver\/x:base .*it gives localhost\/hakuriver\/x:base/);
    assert.match(runnerContract("x-1700000000.tar", [{}], created).problems[0], /no tag at all/);
  });
});
