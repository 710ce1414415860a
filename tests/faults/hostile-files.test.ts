import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { PackageJob } from "@/lib/shared/tarballs";
import { LOCAL_IMAGE, engine, execIn, removeContainer, removeImage, uniqueName } from "../helpers/docker";
import { createViaApi, loginCookie, startServer, waitFor, type TestServer } from "../helpers/server";

/**
 * Someone who can write to shared storage (any node mounts it) plants files and symlinks in the
 * container dir. The dashboard must keep working, act only in its own directory, and leave no
 * temporary file behind.
 */
let server: TestServer;
let dir: string;
const made: string[] = [];

before(async () => {
  server = await startServer();
  dir = path.join(server.dataDir, "shared", "hakuriver-containers");
});

after(async () => {
  await server.stop();
  for (const name of made) {
    await removeContainer(name);
    await removeImage(`hakuriver/${name}:base`);
  }
});

async function job(env: string): Promise<PackageJob | undefined> {
  const { jobs } = (await (await fetch(`${server.url}/api/tarballs/jobs`, { headers: server.bearer })).json()) as { jobs: PackageJob[] };
  return jobs.find((j) => j.env === env);
}
const finished = (env: string) =>
  waitFor(async () => {
    const j = await job(env);
    return j && !["committing", "saving", "finishing"].includes(j.phase) ? j : undefined;
  }, 120_000, `Create Tar of ${env}`);
const startTar = (env: string) => fetch(`${server.url}/api/containers/${env}/tar`, { method: "POST", headers: server.bearer });

async function environment(prefix: string, bytes = 0): Promise<string> {
  const name = uniqueName(prefix);
  made.push(name);
  await createViaApi(server, name, LOCAL_IMAGE);
  if (bytes) assert.equal((await execIn(name, ["sh", "-c", `head -c ${bytes} /dev/urandom > /root/data`])).exitCode, 0);
  return name;
}

describe("hostile files in the container dir", () => {
  it("a version named with an out-of-range timestamp is listed as an invalid date and can be deleted; the tab still renders", async () => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "evil-9000000000000.tar"), "planted");
    const page = await fetch(`${server.url}/docker?tab=tarballs`, { headers: { Cookie: await loginCookie(server) } });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /evil-9000000000000\.tar/);
    assert.match(html, /Invalid date/);
    const list = await fetch(`${server.url}/api/tarballs`, { headers: server.bearer });
    assert.equal(list.status, 200);
    const del = await fetch(`${server.url}/api/tarballs/evil-9000000000000.tar`, { method: "DELETE", headers: server.bearer });
    assert.equal(del.status, 200, await del.text());
    assert.equal(fs.existsSync(path.join(dir, "evil-9000000000000.tar")), false);
  });

  it("symlinks planted at the next version names do not make Create Tar fail: the new version is a regular file after them", async () => {
    const env = await environment("planted");
    const now = Math.floor(Date.now() / 1000);
    for (let k = 0; k <= 3; k++) fs.symlinkSync("/etc/hostname", path.join(dir, `${env}-${now + k}.tar`));
    assert.equal((await startTar(env)).status, 202);
    const done = await finished(env);
    assert.equal(done.phase, "done", done.error);
    const stamp = Number(/-(\d+)\.tar$/.exec(done.file!)![1]);
    assert.ok(stamp > now + 3, `${done.file} comes after the planted names`);
    assert.ok(fs.lstatSync(path.join(dir, done.file!)).isFile());
    const created = Math.floor(Date.parse((await engine.getImage(`hakuriver/${env}:base`).inspect()).Created) / 1000);
    assert.ok(stamp <= created, "and is not dated after its image");
    assert.equal(fs.readFileSync("/etc/hostname", "utf8").length > 0, true, "the symlinks' target is untouched");
  });

  it("a container dir swapped for a symlink mid-job: the job fails, no temporary file is left anywhere, nothing is deleted in the new target", async () => {
    const env = await environment("swap", 200 * 1024 * 1024);
    const older = `${env}-1700000000.tar`;
    fs.writeFileSync(path.join(dir, older), "older");
    assert.equal((await startTar(env)).status, 202);
    await waitFor(async () => {
      const j = await job(env);
      return j?.phase === "saving" && j.bytesWritten > 10 * 1024 * 1024 ? j : undefined;
    }, 60_000, "saving to be under way");
    // The attacker moves the real directory away and puts a symlink to a directory of theirs in its place.
    const moved = `${dir}.moved`;
    const theirs = path.join(server.dataDir, "theirs");
    fs.mkdirSync(theirs);
    const victim = path.join(theirs, "victim-1700000000.tar");
    fs.writeFileSync(victim, "not the dashboard's");
    fs.renameSync(dir, moved);
    fs.symlinkSync(theirs, dir);
    try {
      const failed = await finished(env);
      assert.equal(failed.phase, "failed");
      assert.match(failed.error ?? "", /container dir .* now leads to/);
      const leftovers = [...fs.readdirSync(moved), ...fs.readdirSync(theirs)].filter((f) => f.endsWith(".partial"));
      assert.deepEqual(leftovers, [], "no temporary file in either directory");
      assert.deepEqual(fs.readdirSync(moved).filter((f) => f.startsWith(env)), [older]);
      // Deletes are refused instead of acting in the symlink's target.
      const del = await fetch(`${server.url}/api/tarballs/victim-1700000000.tar`, { method: "DELETE", headers: server.bearer });
      assert.equal(del.status, 409);
      assert.match(((await del.json()) as { error: string }).error, /now leads to/);
      assert.equal(fs.readFileSync(victim, "utf8"), "not the dashboard's");
    } finally {
      fs.unlinkSync(dir);
      fs.renameSync(moved, dir);
    }
    // With the directory back, everything works again.
    assert.equal((await fetch(`${server.url}/api/tarballs`, { headers: server.bearer })).status, 200);
  });
});
