import { containerDir } from "../helpers/isolated-env";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { execute } from "@/lib/commands";
import { OWNER } from "@/lib/auth/authorise";
import { createEnvironmentContainer } from "@/lib/docker/create-container";
import { followCreation, listCreations } from "@/lib/docker/creations";
import { AppError } from "@/lib/shared/errors";
import type { PackageJob, Verification } from "@/lib/shared/tarballs";
import { downloadResponse } from "@/lib/tarballs/download";
import { readImageDetails } from "@/lib/tarballs/image-config";
import { listPackageJobs } from "@/lib/tarballs/package";
import { directorySpace } from "@/lib/tarballs/store";
import { BLOCK, padded, parseHeader } from "@/lib/tarballs/tar";
import { cancelVerification, listVerifications, startVerification } from "@/lib/tarballs/verifications";
import { LOCAL_IMAGE, engine, execIn, removeContainer, removeImage, runOnce, uniqueName } from "../helpers/docker";

const CALLER = { id: "test", principal: OWNER };
const made: string[] = [];
const images: string[] = [];

after(async () => {
  for (const name of made) await removeContainer(name);
  for (const ref of images) await removeImage(ref);
  for (const name of made) await removeImage(`hakuriver/${name}:base`);
  fs.rmSync(path.dirname(path.dirname(containerDir)), { recursive: true, force: true });
});

async function environment(prefix: string, image = LOCAL_IMAGE): Promise<string> {
  const name = uniqueName(prefix);
  made.push(name);
  await createEnvironmentContainer({ image, name });
  return name;
}

/** LOCAL_IMAGE with an environment variable and a working dir, as real base images have. */
async function imageWithEnv(): Promise<string> {
  const ref = `hakuriver-test/withenv:${uniqueName("t")}`;
  images.push(ref);
  const c = await engine.createContainer({ Image: LOCAL_IMAGE, Cmd: ["true"] });
  await c.commit({ repo: ref.split(":")[0], tag: ref.split(":")[1], changes: ["ENV API_TOKEN=s3cret-value", "WORKDIR /srv"] });
  await c.remove();
  return ref;
}

async function waitFor<T>(what: string, get: () => T | undefined, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function packageOnce(env: string, note?: string): Promise<string> {
  await execute("tarball.create", CALLER, note === undefined ? env : { container: env, note });
  const job = await waitFor<PackageJob>(`Create Tar of ${env}`, () =>
    listPackageJobs().find((j) => j.env === env && !["committing", "saving", "finishing"].includes(j.phase)),
  );
  assert.equal(job.phase, "done", job.error);
  return job.file!;
}

async function verified(file: string): Promise<Verification> {
  await startVerification(file);
  return waitFor(`Verify of ${file}`, () => listVerifications().find((v) => v.file === file && v.phase !== "running"));
}

const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/** Offset and size of every member of a tar, by name. */
function members(file: string): Map<string, { offset: number; size: number }> {
  const buf = fs.readFileSync(file);
  const out = new Map<string, { offset: number; size: number }>();
  for (let pos = 0; pos + BLOCK <= buf.length; ) {
    const h = parseHeader(buf.subarray(pos, pos + BLOCK));
    if (!h) break;
    out.set(h.name, { offset: pos + BLOCK, size: h.size });
    pos += BLOCK + padded(h.size);
  }
  return out;
}

let env: string;
let baseImage: string;
let inspected: { label?: string; comment?: string; id: string };
let older: string;
let newer: string;
const NOTE = `cuda 12.4 + torch 2.6 "quoted" $HOME \\ ünï`;

describe("Shared Tarballs versions on the real engine", () => {
  before(async () => {
    baseImage = await imageWithEnv();
    env = await environment("ver", baseImage);
    assert.equal((await execIn(env, ["sh", "-c", "echo first > /root/marker"])).exitCode, 0);
    older = await packageOnce(env, NOTE);
    // What a Runner's docker image inspect shows after loading it (the same image, by ID).
    const image = await engine.getImage(`hakuriver/${env}:base`).inspect();
    inspected = { label: image.Config.Labels?.["hakuriver.note"], comment: image.Comment, id: image.Id };
    assert.equal((await execIn(env, ["sh", "-c", "echo second > /root/marker"])).exitCode, 0);
    newer = await packageOnce(env);
  });

  it("a note goes into the image (commit message and hakuriver.note) and the details; a later version without one has none", async () => {
    const details = await readImageDetails(path.join(containerDir, older));
    assert.equal(details.note, NOTE);
    assert.deepEqual(details.tags, [`hakuriver/${env}:base`]);
    assert.equal(details.base, baseImage);
    assert.equal(details.workingDir, "/srv");
    assert.deepEqual(details.cmd, ["sleep", "infinity"]);
    assert.ok(details.layers >= 2, `layers: ${details.layers}`);
    assert.ok(details.env.some((e) => e.name === "API_TOKEN" && e.value === "s3cret-value"), JSON.stringify(details.env));
    assert.ok(details.created && !Number.isNaN(Date.parse(details.created)));
    assert.equal(details.layout, "docker");
    assert.equal(details.problem, undefined);
    // What a Runner's docker image inspect would show, from the engine itself.
    assert.deepEqual(inspected, { label: NOTE, comment: NOTE, id: details.imageId });
    assert.equal((await readImageDetails(path.join(containerDir, newer))).note, undefined, "no note inherited from the version before");
  });

  it("a note with a newline or control character, or longer than 200 characters, is refused before anything runs", async () => {
    for (const note of ["two\nlines", "bell\u0007", "x".repeat(201)]) {
      await assert.rejects(execute("tarball.create", CALLER, { container: env, note }), (err: unknown) => err instanceof AppError && err.code === "bad_request:input");
    }
  });

  it("details are read without reading the layers, and cached per file, size and mtime", async () => {
    const file = path.join(containerDir, newer);
    const first = await readImageDetails(file);
    assert.equal(await readImageDetails(file), first, "the same object from the cache");
    fs.utimesSync(file, new Date(), new Date(Date.now() - 5000));
    assert.notEqual(await readImageDetails(file), first, "read again after the mtime changed");
  });

  it("Verify of an intact version: ok, with the whole file's sha256", async () => {
    const v = await verified(newer);
    assert.equal(v.phase, "ok", JSON.stringify(v.problems));
    assert.equal(v.sha256, sha256(path.join(containerDir, newer)));
    assert.equal(v.bytesRead, fs.statSync(path.join(containerDir, newer)).size);
    assert.match(v.summary ?? "", /layers? match rootfs\.diff_ids/);
  });

  it("Verify reports a file cut short, a flipped byte in a layer, a missing layer and a non-tar file precisely", async () => {
    const source = path.join(containerDir, newer);
    const bytes = fs.readFileSync(source);
    const layers = [...members(source).entries()].filter(([n]) => n.endsWith("/layer.tar")).sort((a, b) => b[1].size - a[1].size);
    const [bigName, big] = layers[0];
    const name = (tag: string) => `${uniqueName(tag)}-1700000000.tar`;

    const cut = name("cut");
    fs.writeFileSync(path.join(containerDir, cut), bytes.subarray(0, big.offset + Math.floor(big.size / 2)));
    const flipped = name("flip");
    const copy = Buffer.from(bytes);
    copy[big.offset + Math.floor(big.size / 2)] ^= 0xff;
    fs.writeFileSync(path.join(containerDir, flipped), copy);
    const missing = name("missing");
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hr-missing-"));
    execFileSync("tar", ["-xf", source, "-C", tmp]);
    fs.rmSync(path.join(tmp, bigName));
    execFileSync("tar", ["-cf", path.join(containerDir, missing), "-C", tmp, "."]);
    fs.rmSync(tmp, { recursive: true });
    const junk = name("junk");
    fs.writeFileSync(path.join(containerDir, junk), Buffer.concat([Buffer.from("this is not a tarball\n"), Buffer.alloc(5000, 7)]));

    const layerNo = JSON.parse(bytes.subarray(members(source).get("manifest.json")!.offset).subarray(0, members(source).get("manifest.json")!.size).toString())[0].Layers.indexOf(bigName) + 1;
    const expectations: [string, RegExp][] = [
      [cut, new RegExp(`ends at byte ${big.offset + Math.floor(big.size / 2)}, inside ${bigName} .*cut short`)],
      [flipped, new RegExp(`Layer ${layerNo} of \\d+ \\(${bigName}\\) has sha256 .* but the image config expects .*rootfs\\.diff_ids\\[${layerNo - 1}\\].*content changed`)],
      [missing, new RegExp(`Layer ${layerNo} of \\d+ \\(${bigName}\\) is named in manifest.json but is not in the archive`)],
      [junk, /Not a tar archive/],
    ];
    for (const [file, expected] of expectations) {
      const v = await verified(file);
      assert.equal(v.phase, "damaged", `${file}: ${v.phase}`);
      assert.equal(v.problems?.length, 1, `${file}: ${JSON.stringify(v.problems)}`);
      assert.match(v.problems![0], expected);
      // The details say what they can, without throwing.
      const details = await readImageDetails(path.join(containerDir, file));
      if (file !== flipped) assert.ok(details.problem, `${file} details: ${JSON.stringify(details)}`);
    }
  });

  it("Verify of an OCI-layout archive (Docker 25+ docker save: blobs/sha256/…) is ok; its details are read too", async () => {
    const source = path.join(containerDir, newer);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hr-oci-"));
    const oci = fs.mkdtempSync(path.join(os.tmpdir(), "hr-oci-out-"));
    execFileSync("tar", ["-xf", source, "-C", tmp]);
    const manifest = JSON.parse(fs.readFileSync(path.join(tmp, "manifest.json"), "utf8"))[0];
    fs.mkdirSync(path.join(oci, "blobs", "sha256"), { recursive: true });
    const blob = (from: string) => {
      const digest = sha256(path.join(tmp, from));
      fs.copyFileSync(path.join(tmp, from), path.join(oci, "blobs", "sha256", digest));
      return `blobs/sha256/${digest}`;
    };
    const layers = (manifest.Layers as string[]).map(blob);
    fs.writeFileSync(path.join(oci, "manifest.json"), JSON.stringify([{ Config: blob(manifest.Config), RepoTags: manifest.RepoTags, Layers: layers }]));
    fs.writeFileSync(path.join(oci, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
    fs.writeFileSync(path.join(oci, "index.json"), '{"schemaVersion":2,"manifests":[]}');
    const file = `${uniqueName("oci")}-1700000000.tar`;
    execFileSync("tar", ["-cf", path.join(containerDir, file), "-C", oci, "."]);
    fs.rmSync(tmp, { recursive: true });
    fs.rmSync(oci, { recursive: true });
    const v = await verified(file);
    assert.equal(v.phase, "ok", JSON.stringify(v.problems));
    const details = await readImageDetails(path.join(containerDir, file));
    assert.equal(details.layout, "oci");
    assert.equal(details.layers, layers.length);
    assert.deepEqual(details.cmd, ["sleep", "infinity"]);
  });

  it("Verify shows progress and can be cancelled mid-file", async () => {
    const file = `${uniqueName("bigv")}-1700000000.tar`;
    const target = path.join(containerDir, file);
    const fd = fs.openSync(target, "w");
    const chunk = Buffer.alloc(16 * 1024 * 1024, 1);
    for (let i = 0; i < 40; i++) fs.writeSync(fd, chunk);
    fs.closeSync(fd);
    await startVerification(file);
    await waitFor("progress", () => listVerifications().find((v) => v.file === file && v.bytesRead > 0));
    assert.equal(cancelVerification(file), true);
    const v = await waitFor("cancelled", () => listVerifications().find((x) => x.file === file && x.phase !== "running"));
    assert.equal(v.phase, "cancelled");
    assert.ok(v.bytesRead < fs.statSync(target).size, "stopped before the end");
    fs.rmSync(target);
  });

  it("download: Content-Length, the sha256 once verified, a download resumed with Range equals the file, 416 past the end", async () => {
    const file = newer;
    const full = fs.readFileSync(path.join(containerDir, file));
    await verified(file);
    const res = await downloadResponse(file);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-length"), String(full.length));
    assert.equal(res.headers.get("accept-ranges"), "bytes");
    assert.equal(res.headers.get("x-checksum-sha256"), sha256(path.join(containerDir, file)));
    // Take part of it, then drop the connection, as an interrupted download does.
    const reader = res.body!.getReader();
    const parts: Uint8Array[] = [];
    let got = 0;
    while (got < full.length / 3) {
      const { value, done } = await reader.read();
      if (done) break;
      parts.push(value);
      got += value.length;
    }
    await reader.cancel();
    const rest = await downloadResponse(file, new Headers({ range: `bytes=${got}-` }));
    assert.equal(rest.status, 206);
    assert.equal(rest.headers.get("content-range"), `bytes ${got}-${full.length - 1}/${full.length}`);
    assert.equal(rest.headers.get("content-length"), String(full.length - got));
    const joined = Buffer.concat([...parts, Buffer.from(await rest.arrayBuffer())]);
    assert.ok(joined.equals(full), "resumed download equals the file");
    assert.equal((await downloadResponse(file, new Headers({ range: `bytes=${full.length}-` }))).status, 416);
    const tail = await downloadResponse(file, new Headers({ range: "bytes=-10" }));
    assert.equal(tail.headers.get("content-length"), "10");
    assert.ok(Buffer.from(await tail.arrayBuffer()).equals(full.subarray(full.length - 10)));
  });

  it("download and Verify refuse traversal, symlinks and names that are not versions", async () => {
    const outside = path.join(os.tmpdir(), `${uniqueName("secret")}.tar`);
    fs.writeFileSync(outside, "secret");
    const link = `${uniqueName("link")}-1700000000.tar`;
    fs.symlinkSync(outside, path.join(containerDir, link));
    for (const bad of ["../x-1.tar", "..%2Fx-1.tar", `${path.basename(outside)}`, link, "passwd", ""]) {
      await assert.rejects(downloadResponse(bad), (err: unknown) => err instanceof AppError && err.status >= 400 && err.status < 500, bad);
      await assert.rejects(startVerification(bad), (err: unknown) => err instanceof AppError && err.status >= 400 && err.status < 500, bad);
    }
    fs.rmSync(path.join(containerDir, link));
    fs.rmSync(outside);
  });

  it("New container from this version: loads it as hakuriver/<env>:v<ts>, the base tag is unchanged, the temporary tag goes with the last container", async () => {
    const base = await engine.getImage(`hakuriver/${env}:base`).inspect();
    const name = uniqueName("back");
    made.push(name);
    const ts = /-(\d+)\.tar$/.exec(older)![1];
    const tag = `hakuriver/${env}:v${ts}`;
    images.push(tag, `hakuriver/${name}:base`);
    const progress: number[] = [];
    const res = await execute("tarball.container", CALLER, { file: older, name });
    assert.match(res.message, new RegExp(`v${ts}`));
    const result = await followCreation(name, (e) => {
      if (e.type === "pull") progress.push(e.layers[0].current ?? 0);
    });
    assert.ok(result, JSON.stringify(listCreations().find((c) => c.env === name)));
    assert.ok(progress.length > 0, "loading reported progress");
    assert.equal((await engine.getImage(`hakuriver/${env}:base`).inspect()).Id, base.Id, "the base tag still names the newest version's image");
    const loaded = await engine.getImage(tag).inspect();
    assert.deepEqual(loaded.RepoTags, [tag]);
    assert.equal((await execIn(name, ["cat", "/root/marker"])).output.trim(), "first");
    assert.match(await runOnce(`hakuriver/${env}:base`, ["cat", "/root/marker"]), /second/);

    // A Create Tar of it makes the newest version of its own environment.
    const again = await packageOnce(name);
    assert.match(again, new RegExp(`^${name}-\\d+\\.tar$`));

    // Delete: no container uses the tag any more, so it goes; the base stays.
    await execute("container.delete", CALLER, name);
    await assert.rejects(engine.getImage(tag).inspect());
    assert.equal((await engine.getImage(`hakuriver/${env}:base`).inspect()).Id, base.Id);
  });

  it("New container from this version refuses a name in use and a damaged file, leaving no temporary tag", async () => {
    await assert.rejects(execute("tarball.container", CALLER, { file: older, name: env }), (err: unknown) => err instanceof AppError && err.code === "conflict:container");
    const junk = `${uniqueName("junkload")}-1700000001.tar`;
    fs.writeFileSync(path.join(containerDir, junk), "not a tar");
    const name = uniqueName("fromjunk");
    await assert.rejects(
      execute("tarball.container", CALLER, { file: junk, name }),
      (err: unknown) => err instanceof AppError && err.code === "bad_request:tarball" && /cannot be loaded: Not a tar archive/.test(err.message),
    );
    assert.equal(listCreations().find((c) => c.env === name), undefined, "no creation was started");
    assert.equal((await engine.listImages({ filters: { reference: [`hakuriver/${junk.replace(/-\d+\.tar$/, "")}:*`] } })).length, 0);
  });

  it("the directory's space is reported; Create Tar refuses up front when free space is clearly below the image's size", async () => {
    const space = await directorySpace();
    const df = execFileSync("df", ["--output=size,avail", "-B1", containerDir]).toString().trim().split("\n")[1].trim().split(/\s+/).map(Number);
    assert.equal(space.total, df[0]);
    assert.ok(Math.abs(space.free - df[1]) < 64 * 1024 * 1024, `free ${space.free} vs df ${df[1]}`);
    assert.ok(space.tarballs > 0);

    if (process.getuid?.() !== 0) return;
    const small = await environment("small");
    assert.equal((await execIn(small, ["sh", "-c", "head -c 33554432 /dev/urandom > /root/data"])).exitCode, 0);
    // The container dir itself becomes an 8 MiB file system (same path, so the pinned real path holds).
    const saved = fs.mkdtempSync(path.join(os.tmpdir(), "hr-saved-"));
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", containerDir]);
    try {
      await assert.rejects(
        execute("tarball.create", CALLER, small),
        (err: unknown) => err instanceof AppError && err.code === "conflict:disk" && /Not enough space for a new version of .*MiB free.*about 3\d\.\d MiB/.test(err.message),
      );
      assert.deepEqual(fs.readdirSync(containerDir), [], "nothing was written");
      assert.equal(listPackageJobs().find((j) => j.env === small), undefined, "no job was started");
    } finally {
      execFileSync("umount", [containerDir]);
      fs.rmSync(saved, { recursive: true, force: true });
    }
  });
});
