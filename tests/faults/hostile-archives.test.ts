import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { TarballEnvironment, VersionDetails } from "@/lib/shared/tarballs";
import { uniqueName } from "../helpers/docker";
import { startServer, waitFor, type TestServer } from "../helpers/server";

/**
 * Archives made to hurt the server rather than to be loaded (issue 23, findings 2, 4 and 6): what
 * is read from a version is bounded before it is kept or sent, and fields that must be text are text.
 * Memory is measured on the production server's own process.
 */
let server: TestServer;
let dir: string;

before(async () => {
  server = await startServer();
  dir = path.join(server.dataDir, "shared", "hakuriver-containers");
  fs.mkdirSync(dir, { recursive: true });
});

after(async () => {
  await server?.stop();
});

const api = (p: string, init: RequestInit = {}) => fetch(`${server.url}${p}`, { ...init, headers: { ...server.bearer, ...init.headers } });

/** The server's resident memory, MiB. */
function rssMiB(): number {
  const status = fs.readFileSync(`/proc/${server.process.pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** A ustar archive of `members` (name → bytes), as docker save writes one. */
function tar(members: [string, Buffer][]): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, body] of members) {
    const h = Buffer.alloc(512);
    const octal = (v: number, len: number) => v.toString(8).padStart(len - 1, "0") + "\0";
    h.write(name, 0, 100);
    h.write(octal(0o644, 8), 100);
    h.write(octal(0, 8), 108);
    h.write(octal(0, 8), 116);
    h.write(octal(body.length, 12), 124);
    h.write(octal(0, 12), 136);
    h[156] = 0x30;
    h.write("ustar\0", 257);
    h.write("00", 263);
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(octal(sum, 7) + " ", 148);
    blocks.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

/** A docker save of one image whose config is `config`, with no layers. */
function saveOf(config: object, env: string): Buffer {
  const body = Buffer.from(JSON.stringify(config));
  const digest = crypto.createHash("sha256").update(body).digest("hex");
  const manifest = Buffer.from(JSON.stringify([{ Config: `${digest}.json`, RepoTags: [`hakuriver/${env}:base`], Layers: [] }]));
  return tar([
    [`${digest}.json`, body],
    ["manifest.json", manifest],
  ]);
}

describe("archives made to hurt the server", () => {
  it("a 4 MiB config of 690,000 Env entries under 30 version names: expanding the environment keeps the server's memory bounded, and Details shows 500", async () => {
    const env = uniqueName("envbomb");
    const config = { architecture: "amd64", os: "linux", config: { Env: Array.from({ length: 690_000 }, () => "A=1") }, rootfs: { type: "layers", diff_ids: [] } };
    const first = path.join(dir, `${env}-1700000000.tar`);
    fs.writeFileSync(first, saveOf(config, env));
    // Hard links: no extra disk, a new file name (and cache key) each.
    for (let i = 1; i < 30; i++) fs.linkSync(first, path.join(dir, `${env}-${1700000000 + i}.tar`));
    const before = rssMiB();
    const res = await api(`/api/tarballs?env=${env}`);
    assert.equal(res.status, 200);
    const { environment } = (await res.json()) as { environment: TarballEnvironment };
    assert.equal(environment.versions.length, 30);
    const grown = rssMiB() - before;
    console.log(`# server RSS ${before.toFixed(0)} → ${(before + grown).toFixed(0)} MiB after expanding 30 versions`);
    assert.ok(grown < 256, `the server grew by ${grown.toFixed(0)} MiB`);

    const { details } = (await (await api(`/api/tarballs/${path.basename(first)}`)).json()) as { details: VersionDetails };
    assert.equal(details.env.length, 500);
    assert.equal(details.envTotal, 690_000);
  });

  it("a note label that is not text (an object, a number) is no note, and labels carry only text", async () => {
    const env = uniqueName("notetext");
    const labels = { "hakuriver.note": { $$typeof: "react.element", props: { children: "boom" } }, other: 42, fine: "yes" };
    const file = `${env}-1700000100.tar`;
    fs.writeFileSync(path.join(dir, file), saveOf({ architecture: { x: 1 }, os: "linux", config: { Labels: labels, User: ["root"] }, rootfs: { diff_ids: [] } }, env));
    const { environment } = (await (await api(`/api/tarballs?env=${env}`)).json()) as { environment: TarballEnvironment };
    assert.equal(environment.versions[0].note, undefined);
    const { details } = (await (await api(`/api/tarballs/${file}`)).json()) as { details: VersionDetails };
    assert.equal(details.note, undefined);
    assert.deepEqual(details.labels, { fine: "yes" });
    assert.equal(details.architecture, undefined);
    assert.equal(details.user, undefined);
  });

  it("40 Verifies at once of an archive holding 64 MiB of small JSON members: the server's memory stays bounded", async () => {
    const env = uniqueName("verifybomb");
    const members: [string, Buffer][] = Array.from({ length: 16 }, (_, i) => [`pad-${i}.json`, crypto.randomBytes(4 * 1024 * 1024 - 1024)]);
    const first = path.join(dir, `${env}-1700000200.tar`);
    fs.writeFileSync(first, tar([...members, ["manifest.json", Buffer.from("[]")]]));
    const files = [path.basename(first)];
    for (let i = 1; i < 40; i++) {
      const name = `${env}-${1700000200 + i}.tar`;
      fs.linkSync(first, path.join(dir, name));
      files.push(name);
    }
    const before = rssMiB();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB())), 50);
    try {
      const answers = await Promise.all(files.map((f) => api(`/api/tarballs/${f}/verify`, { method: "POST" })));
      // Two read at a time and 32 wait: past that a Verify is refused, saying why.
      const refused = await Promise.all(answers.filter((r) => r.status !== 202).map(async (r) => `${r.status} ${await r.text()}`));
      for (const r of refused) assert.match(r, /^409 .*Verify runs are waiting already/);
      assert.ok(refused.length <= 40 - 34, `started ${40 - refused.length}`);
      const started = files.filter((_, i) => answers[i].status === 202);
      await waitFor(async () => {
        const all = await Promise.all(started.map(async (f) => ((await (await api(`/api/tarballs/${f}/verify`)).json()) as { verification?: { phase: string } }).verification?.phase));
        return all.every((p) => p && p !== "running") ? true : undefined;
      }, 240_000, "every Verify to end");
    } finally {
      clearInterval(sampler);
    }
    console.log(`# server RSS ${before.toFixed(0)} → peak ${peak.toFixed(0)} MiB during 40 Verifies`);
    assert.ok(peak - before < 400, `the server grew by ${(peak - before).toFixed(0)} MiB`);
  });
});
