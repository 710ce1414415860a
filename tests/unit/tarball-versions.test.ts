import assert from "node:assert/strict";
import type { Stats } from "node:fs";
import { describe, it } from "node:test";
import { noteProblem } from "@/lib/shared/validation";
import { fileETag, notModified, parseRange, rangeApplies } from "@/lib/tarballs/download";
import { BLOCK, fileHeader, parseHeader } from "@/lib/tarballs/tar";

describe("Range headers of a download", () => {
  it("one range, open-ended, a suffix, past the end, and what is answered with the whole file", () => {
    assert.deepEqual(parseRange("bytes=0-99", 1000), { start: 0, end: 99 });
    assert.deepEqual(parseRange("bytes=500-", 1000), { start: 500, end: 999 });
    assert.deepEqual(parseRange("bytes=-100", 1000), { start: 900, end: 999 });
    assert.deepEqual(parseRange("bytes=-5000", 1000), { start: 0, end: 999 });
    assert.deepEqual(parseRange("bytes=900-5000", 1000), { start: 900, end: 999 });
    assert.equal(parseRange("bytes=1000-", 1000), "unsatisfiable");
    assert.equal(parseRange("bytes=50-10", 1000), "unsatisfiable");
    assert.equal(parseRange("bytes=-0", 1000), "unsatisfiable");
    assert.equal(parseRange(null, 1000), undefined);
    assert.equal(parseRange("bytes=0-1,5-6", 1000), undefined, "several ranges: the whole file");
    assert.equal(parseRange("items=0-1", 1000), undefined);
  });
});

describe("download validators", () => {
  const stat = (ino: number, size: number, mtimeMs: number) => ({ ino, size, mtimeMs }) as Stats;
  const st = stat(42, 1000, Date.parse("2024-05-01T10:00:00.250Z"));
  const etag = fileETag(st);
  const h = (headers: Record<string, string>) => new Headers(headers);

  it("a strong ETag that changes with the inode, the size and the mtime", () => {
    assert.match(etag, /^"[0-9a-f-]+"$/);
    assert.notEqual(fileETag(stat(43, 1000, st.mtimeMs)), etag);
    assert.notEqual(fileETag(stat(42, 1001, st.mtimeMs)), etag);
    assert.notEqual(fileETag(stat(42, 1000, st.mtimeMs + 1)), etag);
  });

  it("If-Range: the same ETag (strongly) or exactly the Last-Modified of a file a second old; anything else sends the whole file", () => {
    const now = st.mtimeMs + 60_000;
    assert.equal(rangeApplies(h({}), etag, st, now), true, "no If-Range");
    assert.equal(rangeApplies(h({ "if-range": etag }), etag, st, now), true);
    assert.equal(rangeApplies(h({ "if-range": `W/${etag}` }), etag, st, now), false, "weak never matches");
    assert.equal(rangeApplies(h({ "if-range": '"other"' }), etag, st, now), false);
    assert.equal(rangeApplies(h({ "if-range": "Wed, 01 May 2024 10:00:00 GMT" }), etag, st, now), true);
    assert.equal(rangeApplies(h({ "if-range": "Wed, 01 May 2024 10:00:01 GMT" }), etag, st, now), false, "a later date is not a match");
    assert.equal(rangeApplies(h({ "if-range": "Wed, 01 May 2024 10:00:00 GMT" }), etag, st, st.mtimeMs + 500), false, "written within the second: the date is weak");
    assert.equal(rangeApplies(h({ "if-range": "yesterday" }), etag, st, now), false);
  });

  it("If-None-Match (weakly, lists and *) before If-Modified-Since", () => {
    assert.equal(notModified(h({}), etag, st), false);
    assert.equal(notModified(h({ "if-none-match": `"a", W/${etag}` }), etag, st), true);
    assert.equal(notModified(h({ "if-none-match": "*" }), etag, st), true);
    assert.equal(notModified(h({ "if-none-match": '"a"', "if-modified-since": "Wed, 01 May 2024 10:00:00 GMT" }), etag, st), false);
    assert.equal(notModified(h({ "if-modified-since": "Wed, 01 May 2024 10:00:00 GMT" }), etag, st), true);
    assert.equal(notModified(h({ "if-modified-since": "Wed, 01 May 2024 09:59:59 GMT" }), etag, st), false);
    assert.equal(notModified(h({ "if-modified-since": "not a date" }), etag, st), false);
  });
});

describe("Create Tar notes", () => {
  it("one printable line up to 200 characters", () => {
    assert.equal(noteProblem("cuda 12.4 + torch 2.6 — 日本語 ✓"), undefined);
    assert.equal(noteProblem("x".repeat(200)), undefined);
    assert.match(noteProblem("x".repeat(201))!, /longer than 200/);
    for (const bad of ["a\nb", "a\rb", "tab\there", "nul\u0000", "esc\u001b[31m", "del\u007f", "ls\u2028"]) assert.match(noteProblem(bad)!, /one line/, JSON.stringify(bad));
  });

  it("no Unicode direction controls: they reverse how the note (and the text after it) is shown", () => {
    const controls = [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
    for (const cp of controls) {
      const problem = noteProblem(`invoice ${String.fromCodePoint(cp)}fdp.exe`);
      assert.ok(problem, `U+${cp.toString(16)} is refused`);
      assert.match(problem, new RegExp(`U\\+${cp.toString(16).toUpperCase().padStart(4, "0")}`), "the message names the character");
    }
    // Right-to-left text itself is fine; only the invisible controls are refused.
    assert.equal(noteProblem("גרסה 2 — نسخة ٢"), undefined);
    assert.equal(noteProblem("zero\u200bwidth space and joiner \u200d"), undefined);
  });
});

describe("tar headers", () => {
  it("a header written for the re-tagged manifest reads back; a damaged one is refused", () => {
    const h = fileHeader("manifest.json", 1234, 1700000000);
    assert.equal(h.length, BLOCK);
    assert.deepEqual(parseHeader(h), { name: "manifest.json", size: 1234, type: "0", linkName: "" });
    h[10] ^= 1;
    assert.equal(parseHeader(h), undefined, "checksum mismatch");
    assert.equal(parseHeader(Buffer.from("not a tar".padEnd(BLOCK, " "))), undefined);
  });
});

describe("details and Verify of archives other writers made", () => {
  it("PAX long names (tar --format=pax) are followed by both readers", async () => {
    const { execFileSync } = await import("node:child_process");
    const { createHash } = await import("node:crypto");
    const fs = await import("node:fs");
    const os = await import("node:os");
    const path = await import("node:path");
    const { readImageDetails } = await import("@/lib/tarballs/image-config");
    const { verifyArchive } = await import("@/lib/tarballs/verify");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hr-pax-"));
    const layerDir = `${"d".repeat(160)}/layer`;
    fs.mkdirSync(path.join(dir, layerDir), { recursive: true });
    const layer = Buffer.alloc(70_000, 3);
    fs.writeFileSync(path.join(dir, layerDir, "layer.tar"), layer);
    const diff = createHash("sha256").update(layer).digest("hex");
    const config = JSON.stringify({ created: "2026-01-02T03:04:05Z", config: { Env: ["A=1"] }, rootfs: { type: "layers", diff_ids: [`sha256:${diff}`] } });
    const configName = `${createHash("sha256").update(config).digest("hex")}.json`;
    fs.writeFileSync(path.join(dir, configName), config);
    fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify([{ Config: configName, RepoTags: ["x/y:base"], Layers: [`${layerDir}/layer.tar`] }]));
    const out = path.join(dir, "out.tar");
    execFileSync("tar", ["-C", dir, "-cf", out, "--format=pax", `${layerDir}/layer.tar`, configName, "manifest.json"]);
    const details = await readImageDetails(out);
    assert.equal(details.problem, undefined);
    assert.equal(details.layerBytes, 70_000);
    assert.deepEqual(details.env, [{ name: "A", value: "1" }]);
    const v = await verifyArchive(out);
    assert.equal(v.ok, true, JSON.stringify(v.problems));
    fs.rmSync(dir, { recursive: true });
  });
});
