import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { readImageCreated } from "@/lib/tarballs/image-config";

/** A `docker save`-shaped archive: a big layer first, the config and manifest.json after it. */
function archive(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hr-imgcfg-"));
  for (const [name, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), body);
  }
  const out = path.join(dir, "out.tar");
  execFileSync("tar", ["-C", dir, "-cf", out, "--format=gnu", ...Object.keys(files)]);
  return out;
}

const config = "a".repeat(64) + ".json";
describe("reading an image's Created from a docker save archive", () => {
  it("finds manifest.json and the config it names, past the layers", async () => {
    const file = archive({
      [`${"b".repeat(64)}/layer.tar`]: Buffer.alloc(3 * 1024 * 1024 + 17),
      [config]: JSON.stringify({ created: "2026-11-28T22:10:03.123456789Z", config: {} }),
      "manifest.json": JSON.stringify([{ Config: config, RepoTags: ["hakuriver/x:base"], Layers: [] }]),
    });
    assert.equal(await readImageCreated(file), "2026-11-28T22:10:03.123456789Z");
  });

  it("follows GNU long names", async () => {
    const long = `${"c".repeat(120)}.json`;
    const file = archive({
      [long]: JSON.stringify({ created: "2026-01-02T03:04:05Z" }),
      "manifest.json": JSON.stringify([{ Config: long }]),
    });
    assert.equal(await readImageCreated(file), "2026-01-02T03:04:05Z");
  });

  it("is undefined, never a throw, for damaged or foreign files and symlinks", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hr-imgcfg-"));
    const notTar = path.join(dir, "x-1.tar");
    fs.writeFileSync(notTar, "this is not a tar archive at all".repeat(40));
    assert.equal(await readImageCreated(notTar), undefined);
    const noManifest = archive({ [config]: "{}" });
    assert.equal(await readImageCreated(noManifest), undefined);
    const good = archive({ [config]: JSON.stringify({ created: "2026-01-02T03:04:05Z" }), "manifest.json": JSON.stringify([{ Config: config }]) });
    const cut = path.join(dir, "cut.tar");
    fs.writeFileSync(cut, fs.readFileSync(good).subarray(0, 700));
    assert.equal(await readImageCreated(cut), undefined);
    const link = path.join(dir, "link-1.tar");
    fs.symlinkSync(good, link);
    assert.equal(await readImageCreated(link), undefined, "symlinks are not followed");
    assert.equal(await readImageCreated(path.join(dir, "absent.tar")), undefined);
  });
});

describe("an archive docker load reads through links", () => {
  it("follows a hard-linked manifest.json and config, and a tar of only hard links is a tar, not 'Not a tar archive'", async () => {
    const { readImageDetails } = await import("@/lib/tarballs/image-config");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hr-links-"));
    fs.writeFileSync(path.join(dir, "real-manifest"), JSON.stringify([{ Config: config, RepoTags: ["hakuriver/x:base"], Layers: [] }]));
    fs.writeFileSync(path.join(dir, "real-config"), JSON.stringify({ created: "2026-01-02T03:04:05Z", config: { Labels: { "hakuriver.note": "via links" } } }));
    fs.linkSync(path.join(dir, "real-manifest"), path.join(dir, "manifest.json"));
    fs.linkSync(path.join(dir, "real-config"), path.join(dir, config));
    const linked = path.join(dir, "linked.tar");
    // GNU tar stores the second name of a file as a hard link to the first.
    execFileSync("tar", ["-C", dir, "-cf", linked, "real-manifest", "real-config", "manifest.json", config]);
    const details = await readImageDetails(linked);
    assert.equal(details.problem, undefined, details.problem);
    assert.equal(details.note, "via links");

    const onlyLinks = path.join(dir, "only-links.tar");
    execFileSync("tar", ["-C", dir, "-cf", onlyLinks, "real-manifest", "manifest.json"]);
    // Cut the first member (the file) away: what stays are hard-link headers only.
    const bytes = fs.readFileSync(onlyLinks);
    fs.writeFileSync(onlyLinks, bytes.subarray(512 + Math.ceil(fs.statSync(path.join(dir, "real-manifest")).size / 512) * 512));
    const problem = (await readImageDetails(onlyLinks)).problem ?? "";
    assert.doesNotMatch(problem, /Not a tar archive/);
    assert.match(problem, /manifest\.json/);
  });
});
