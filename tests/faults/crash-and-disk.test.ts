import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { io as connect } from "socket.io-client";
import type { PackageJob } from "@/lib/shared/tarballs";
import { LOCAL_IMAGE, engine, execIn, removeContainer, removeImage, uniqueName } from "../helpers/docker";
import { createViaApi, startServer, waitFor, type TestServer } from "../helpers/server";

const made: string[] = [];
after(async () => {
  for (const name of made) {
    await removeContainer(name);
    await removeImage(`hakuriver/${name}:base`);
  }
});

async function environmentWithData(server: TestServer, prefix: string, bytes: number): Promise<string> {
  const name = uniqueName(prefix);
  made.push(name);
  await createViaApi(server, name, LOCAL_IMAGE);
  assert.equal((await execIn(name, ["sh", "-c", `head -c ${bytes} /dev/urandom > /root/data`])).exitCode, 0);
  return name;
}

async function job(server: TestServer, env: string): Promise<PackageJob | undefined> {
  const { jobs } = (await (await fetch(`${server.url}/api/tarballs/jobs`, { headers: server.bearer })).json()) as { jobs: PackageJob[] };
  return jobs.find((j) => j.env === env);
}

const startTar = (server: TestServer, env: string) => fetch(`${server.url}/api/containers/${env}/tar`, { method: "POST", headers: server.bearer });

describe("killed mid-job", () => {
  it("after kill -9 and a restart: no partial or temporary file, older versions intact, the job reported interrupted, its commit undone, leaked shells swept", async () => {
    let server = await startServer();
    const dir = path.join(server.dataDir, "shared", "hakuriver-containers");
    try {
      const env = await environmentWithData(server, "killed", 300 * 1024 * 1024);
      fs.mkdirSync(dir, { recursive: true });
      const older = `${env}-1700000000.tar`;
      fs.writeFileSync(path.join(dir, older), "older version");

      // A shell that starts a background process, then is abandoned by the crash.
      const socket = connect(`${server.url}/terminal`, { transports: ["websocket"], extraHeaders: server.bearer, reconnection: false, forceNew: true });
      assert.equal((await socket.timeout(10_000).emitWithAck("open", { container: env, cols: 80, rows: 24 })).ok, true);
      let output = "";
      socket.on("output", (c: Buffer) => (output += Buffer.from(c).toString()));
      socket.emit("input", "sleep 9876 & echo bg-$((1+2))\n");
      await waitFor(async () => (/bg-3/.test(output) ? true : undefined), 10_000, "the shell");

      assert.equal((await startTar(server, env)).status, 202);
      await waitFor(async () => {
        const j = await job(server, env);
        return j?.phase === "saving" && j.bytesWritten > 20 * 1024 * 1024 ? j : undefined;
      }, 120_000, "saving to be under way");
      assert.ok(fs.readdirSync(dir).some((f) => f.endsWith(".tar.partial")), "a temporary file exists mid-job");

      await server.kill9();
      socket.disconnect();
      const top = async () => JSON.stringify((await engine.getContainer(env).top()).Processes);
      assert.match(await top(), /sleep 9876/, "the crash leaked the shell's process");

      server = await server.restart();
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith(env) || f.startsWith(".")), [older]);
      assert.equal(fs.readFileSync(path.join(dir, older), "utf8"), "older version");
      const reported = await job(server, env);
      assert.equal(reported?.phase, "interrupted");
      assert.match(reported?.error ?? "", /stopped while this ran; no partial file was kept/);
      // Its commit was undone at start-up: a first Create Tar leaves no :base tag behind.
      await assert.rejects(engine.getImage(`hakuriver/${env}:base`).inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
      await waitFor(async () => (!/sleep 9876/.test(await top()) ? true : undefined), 15_000, "the leaked shell to be swept");
      // And the environment can be packaged again.
      assert.equal((await startTar(server, env)).status, 202);
      const done = await waitFor(async () => {
        const j = await job(server, env);
        return j && !["committing", "saving", "finishing"].includes(j.phase) ? j : undefined;
      }, 120_000);
      assert.equal(done.phase, "done", done.error);
    } finally {
      await server.stop();
    }
  });
});

const isRoot = process.getuid?.() === 0;

describe("disk full", { skip: isRoot ? false : "mounting a small tmpfs needs root" }, () => {
  it("Create Tar is refused up front, with a clear message, when free space is clearly below the image's size", async () => {
    const mount = fs.mkdtempSync(path.join(os.tmpdir(), "hakuriver-small-"));
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=24m", "tmpfs", mount]);
    const server = await startServer({ HAKURIVER_SHARED_DIR: mount });
    try {
      const env = await environmentWithData(server, "refused", 64 * 1024 * 1024);
      const res = await startTar(server, env);
      assert.equal(res.status, 409);
      const body = (await res.json()) as { code: string; error: string };
      assert.equal(body.code, "conflict:disk");
      assert.match(body.error, new RegExp(`Not enough space for a new version of ${env}: \\d+\\.\\d MiB free in .* its image is about 6\\d\\.\\d MiB`));
      assert.equal(await job(server, env), undefined, "no job was started");
    } finally {
      await server.stop();
      execFileSync("umount", [mount]);
      fs.rmSync(mount, { recursive: true, force: true });
    }
  });

  it("when the disk fills up anyway (the estimate was close), the job fails with 'no space left', no partial or temporary file remains, older versions are intact", async () => {
    const mount = fs.mkdtempSync(path.join(os.tmpdir(), "hakuriver-small-"));
    // Just below the image's size: the up-front check lets it start, the disk fills half-way.
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64m", "tmpfs", mount]);
    const server = await startServer({ HAKURIVER_SHARED_DIR: mount });
    try {
      const dir = path.join(mount, "hakuriver-containers");
      const env = await environmentWithData(server, "full", 64 * 1024 * 1024);
      fs.mkdirSync(dir, { recursive: true });
      const older = `${env}-1700000000.tar`;
      fs.writeFileSync(path.join(dir, older), "x".repeat(1024 * 1024));

      assert.equal((await startTar(server, env)).status, 202);
      const failed = await waitFor(async () => {
        const j = await job(server, env);
        return j && !["committing", "saving", "finishing"].includes(j.phase) ? j : undefined;
      }, 120_000);
      assert.equal(failed.phase, "failed");
      assert.match(failed.error ?? "", /No space left/);
      assert.deepEqual(fs.readdirSync(dir), [older]);
      assert.equal(fs.statSync(path.join(dir, older)).size, 1024 * 1024);
      // The space is free again: nothing was left behind.
      const free = Number(execFileSync("df", ["--output=avail", "-B1", mount]).toString().split("\n")[1]);
      assert.ok(free > 20 * 1024 * 1024, `free: ${free}`);
    } finally {
      await server.stop();
      execFileSync("umount", [mount]);
      fs.rmSync(mount, { recursive: true, force: true });
    }
  });
});
