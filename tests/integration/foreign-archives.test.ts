import { containerDir, testRoot } from "../helpers/isolated-env";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import type { VersionDetails } from "@/lib/shared/tarballs";
import { readImageDetails } from "@/lib/tarballs/image-config";
import { loadVersion } from "@/lib/tarballs/load";
import { verifyArchive, type VerifyOutcome } from "@/lib/tarballs/verify";
import { LOCAL_IMAGE, PULL_IMAGE, engine, ensurePulled, removeImage, uniqueName } from "../helpers/docker";

/**
 * Archives made by the real tools (docker save, gzip, podman save, skopeo copy), each read by
 * Details, Verify and the Runner-contract check, and then given to `docker load` on the test
 * engine: what the dashboard says must be what the engine does (tags made, success or failure,
 * the image the Runners' tag ends up on, and whether the name's timestamp is ≤ that image's Created).
 */
const env = uniqueName("fa");
const runnerTag = `hakuriver/${env}:base`;
const otherTag = `hakuriver-test/${env}:other`;
const work = path.join(testRoot, "archives");
const podRoot = path.join(testRoot, "podman");
const podman = ["--root", `${podRoot}/root`, "--runroot", `${podRoot}/run`, "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "file"];
const madeTags = new Set<string>([runnerTag, otherTag, `localhost/${runnerTag}`]);
let created: number;
let pullCreated: number;

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"] }).toString("utf8");
const createdOf = async (ref: string) => Math.floor(Date.parse((await engine.getImage(ref).inspect()).Created) / 1000);
/** Why podman or skopeo cannot run here, or undefined when they can. */
function toolMissing(tool: "podman" | "skopeo"): string | undefined {
  const r = spawnSync(tool, ["--version"]);
  return r.status === 0 ? undefined : `${tool} is not installed (apt-get install -y ${tool})`;
}

/** A file named as a version of `env` at `timestamp`, in a directory of its own. */
function versionPath(label: string, timestamp: number): string {
  const dir = path.join(work, label);
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `${env}-${timestamp}.tar`);
}

interface EngineLoad {
  ok: boolean;
  tags: string[];
  output: string;
}

/** What `docker load` really does with the file: success, and the tags it reports. */
function dockerLoad(file: string): EngineLoad {
  const r = spawnSync("docker", ["load", "-i", file]);
  const output = `${r.stdout}${r.stderr}`;
  const tags = [...output.matchAll(/^Loaded image: (\S+)$/gm)].map((m) => m[1]);
  tags.forEach((t) => madeTags.add(t));
  return { ok: r.status === 0, tags, output };
}

/** Details, Verify and the contract against docker load; returns all three for case-specific checks. */
async function compare(file: string): Promise<{ details: VersionDetails; verify: VerifyOutcome; load: EngineLoad }> {
  const details = await readImageDetails(file);
  const verify = await verifyArchive(file);
  const load = dockerLoad(file);
  const what = `${path.basename(path.dirname(file))}: details ${JSON.stringify({ ...details, env: undefined, labels: undefined })}, verify ${JSON.stringify(verify)}, docker load ${load.output}`;
  // Readable and whole exactly when the engine loads it.
  assert.equal(details.problem === undefined, load.ok, what);
  assert.equal(verify.ok, load.ok, what);
  if (!load.ok) {
    assert.equal(details.contract?.ok, false, what);
    return { details, verify, load };
  }
  // The tags: every image's as the engine names them.
  const said = details.images ? details.images.flatMap((i) => i.tags) : details.tags;
  assert.deepEqual([...said].sort(), [...load.tags].sort(), what);
  // The Runner contract: the tag, the image it lands on, and the timestamp rule.
  const gotTag = load.tags.includes(runnerTag);
  const contractTagOk = !details.contract?.problems.some((p) => p.includes("does not give this file the tag"));
  assert.equal(contractTagOk, gotTag, what);
  assert.deepEqual(verify.contract, details.contract, what);
  if (gotTag) {
    const image = await engine.getImage(runnerTag).inspect();
    assert.equal(details.imageId, image.Id, `the image described is the one the Runners' tag is on: ${what}`);
    const timestamp = Number(/-(\d+)\.tar$/.exec(file)![1]);
    const runnersWouldReload = Math.floor(Date.parse(image.Created) / 1000) < timestamp;
    assert.equal(details.contract?.ok, !runnersWouldReload, what);
  } else assert.equal(details.contract?.ok, false, what);
  return { details, verify, load };
}

before(async () => {
  fs.mkdirSync(work, { recursive: true });
  await engine.getImage(LOCAL_IMAGE).tag({ repo: runnerTag.split(":")[0], tag: "base" });
  // Other tests remove it (a pull must move bytes there): pull it again from the loopback registry.
  await ensurePulled(PULL_IMAGE);
  await engine.getImage(PULL_IMAGE).tag({ repo: otherTag.split(":")[0], tag: "other" });
  created = await createdOf(runnerTag);
  pullCreated = await createdOf(otherTag);
});

after(async () => {
  for (const tag of madeTags) await removeImage(tag);
  fs.rmSync(testRoot, { recursive: true, force: true });
});

describe("archives from docker save (and gzip) against docker load", () => {
  let one: string;
  before(() => {
    one = versionPath("docker-one", created);
    sh("docker", ["save", "-o", one, runnerTag]);
  });

  it("docker save of one image: well-formed, the Runners' tag, timestamp = Created", async () => {
    const { details, verify } = await compare(one);
    assert.equal(details.contract?.ok, true);
    assert.equal(details.compression, undefined);
    assert.ok(verify.ok);
  });

  it("the same piped through gzip: read through zlib, the same image and contract", async () => {
    const gz = versionPath("docker-one-gz", created);
    fs.writeFileSync(gz, execFileSync("gzip", ["-c", one], { maxBuffer: 1 << 30 }));
    const { details, verify } = await compare(gz);
    assert.equal(details.compression, "gzip");
    assert.equal(details.contract?.ok, true);
    assert.match(verify.summary ?? "", /^gzip'd; /);
  });

  it("the same gzip'd and cut in half (an unfinished copy): Details and Verify say it is cut short, docker load fails", async () => {
    const whole = execFileSync("gzip", ["-c", one], { maxBuffer: 1 << 30 });
    const cut = versionPath("docker-one-gz-cut", created);
    fs.writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const { details, verify, load } = await compare(cut);
    assert.equal(load.ok, false, load.output);
    assert.deepEqual(load.tags, [], "docker load tags nothing from it");
    assert.equal(details.compression, "gzip");
    assert.equal(details.problem, "The gzip stream is damaged or cut short (unexpected end of file).");
    assert.equal(verify.ok, false);
    assert.deepEqual(verify.problems, [details.problem]);
    assert.match(verify.sha256 ?? "", /^[0-9a-f]{64}$/, "the whole file's sha256 is still given");
    assert.match(details.contract!.problems[0], /^`docker load` cannot load it: The gzip stream is damaged or cut short/);
  });

  it("a name's timestamp later than Created: loads, but the contract says Runners would load it before every task", async () => {
    const late = versionPath("docker-late", created + 100);
    fs.copyFileSync(one, late);
    const { details } = await compare(late);
    assert.equal(details.contract?.ok, false);
    assert.match(details.contract!.problems[0], /Runners would load this before every task/);
    assert.match(details.contract!.problems[0], new RegExp(`${env}-${created}\\.tar`));
  });

  for (const gzip of [false, true]) {
    it(`docker save of two images${gzip ? " | gzip" : ""}: both listed, the Runners' tag on the second is the one described and loaded by New container`, async () => {
      const file = versionPath(`docker-two${gzip ? "-gz" : ""}`, Math.min(created, pullCreated));
      const plain = `${file}.plain`;
      sh("docker", ["save", "-o", plain, otherTag, runnerTag]);
      if (gzip) fs.writeFileSync(file, execFileSync("gzip", ["-c", plain], { maxBuffer: 1 << 30 }));
      else fs.renameSync(plain, file);
      fs.rmSync(plain, { force: true });
      const { details, verify } = await compare(file);
      assert.equal(details.images?.length, 2);
      assert.equal(details.described, details.images!.findIndex((i) => i.tags.includes(runnerTag)));
      assert.match(verify.summary ?? "", /2 images/);
      // New container from this version: the image the Runners' tag resolves to, under v<timestamp>.
      fs.mkdirSync(containerDir, { recursive: true });
      const name = path.basename(file);
      fs.copyFileSync(file, path.join(containerDir, name));
      const ref = await loadVersion(name, () => {});
      madeTags.add(ref);
      assert.equal((await engine.getImage(ref).inspect()).Id, details.imageId);
      await removeImage(ref);
      fs.rmSync(path.join(containerDir, name));
    });
  }
});

describe("archives from podman save and skopeo copy against docker load", () => {
  const p = (...args: string[]) => sh("podman", [...podman, ...args]);
  let source: string;
  before(() => {
    source = versionPath("docker-source", pullCreated);
    sh("docker", ["save", "-o", source, otherTag]);
    if (toolMissing("podman")) return;
    p("pull", "-q", "--tls-verify=false", PULL_IMAGE);
    p("tag", PULL_IMAGE, runnerTag);
    p("tag", PULL_IMAGE, `docker.io/${runnerTag}`);
  });

  const skip = (t: TestContext, tool: "podman" | "skopeo") => {
    const why = toolMissing(tool);
    if (why) t.skip(why);
    return why !== undefined;
  };

  it("podman save (docker-archive, default name): loads as localhost/…, so no Runner finds it", async (t) => {
    if (skip(t, "podman")) return;
    const file = versionPath("podman-docker", pullCreated);
    p("save", "--format", "docker-archive", "-o", file, runnerTag);
    const { details, load } = await compare(file);
    assert.deepEqual(load.tags, [`localhost/${runnerTag}`]);
    assert.match(details.contract!.problems[0], /does not give this file the tag/);
  });

  it("podman save (docker-archive, docker.io/ name): loads as the Runners' tag", async (t) => {
    if (skip(t, "podman")) return;
    const file = versionPath("podman-docker-io", pullCreated);
    p("save", "--format", "docker-archive", "-o", file, `docker.io/${runnerTag}`);
    const { details } = await compare(file);
    assert.equal(details.contract?.ok, true, JSON.stringify(details.contract));
  });

  it("podman save --format oci-archive: named as an OCI archive docker load cannot read", async (t) => {
    if (skip(t, "podman")) return;
    const file = versionPath("podman-oci", pullCreated);
    p("save", "--format", "oci-archive", "-o", file, runnerTag);
    const { details, verify } = await compare(file);
    const version = (await engine.version()).Version;
    assert.equal(details.problem, `OCI archive, no manifest.json: \`docker load\` on Docker ${version} cannot read it. Make it with docker save (or podman save --format docker-archive, or skopeo copy to docker-archive:FILE:<repo>:<tag>).`);
    assert.deepEqual(verify.problems, [details.problem]);
  });

  for (const [label, dest] of [
    ["skopeo-untagged", ""],
    ["skopeo-tagged", `:${runnerTag}`],
    ["skopeo-oci", "oci"],
  ] as const) {
    it(`skopeo copy docker-archive: → ${dest === "oci" ? "oci-archive:" : `docker-archive:FILE${dest}`}`, async (t) => {
      if (skip(t, "skopeo")) return;
      const file = versionPath(label, pullCreated);
      sh("skopeo", ["copy", "-q", `docker-archive:${source}`, dest === "oci" ? `oci-archive:${file}` : `docker-archive:${file}${dest}`]);
      const { details, load } = await compare(file);
      if (label === "skopeo-untagged") assert.deepEqual(load.tags, []);
      if (label === "skopeo-tagged") assert.equal(details.contract?.ok, true, JSON.stringify(details.contract));
      if (label === "skopeo-oci") assert.match(details.problem ?? "", /^OCI archive, no manifest.json/);
    });
  }
});
