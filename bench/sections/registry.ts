import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Docker from "dockerode";
import type { Job } from "@/lib/shared/jobs";
import type { BenchContext } from "../run";
import { now } from "../lib";
import { LOCAL_IMAGE, engine, execIn, removeContainer, removeImage } from "../../tests/helpers/docker";
import { startOwnRegistry } from "../../tests/helpers/own-registry";
import { startRegistryProxy } from "../../tests/helpers/registry-proxy";
import { createViaApi, startServer, waitFor, type TestServer } from "../../tests/helpers/server";

/**
 * Versions through a registry (docs/registry.md): an environment of a 1 GiB base layer (64 MiB with
 * --quick) with a 10 MiB change as version 1 (4 MiB with --quick) and another as version 2. A
 * Runner that has version 1 is brought to version 2 through the tarball (`docker load` of the
 * file, as Runners do) and through the registry (pull): bytes moved — the file's size, against the
 * blob bytes a counting proxy in front of the registry answered — and time. And the push cost
 * at Create Tar of version 2 (the dashboard's push job) against `docker push` of the same image to
 * a second registry that holds version 1 too. Registries of its own (Debian's docker-registry).
 */
const MiB = 1024 * 1024;

async function stream(s: NodeJS.ReadableStream, docker: Docker): Promise<void> {
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(s, (err: unknown, out: { error?: string }[]) => (err || out?.find((e) => e.error) ? reject(err ?? new Error(out.find((e) => e.error)!.error)) : resolve())));
}

/** Create Tar through the API; resolves with the file and its push job (settled). */
async function createTar(server: TestServer, env: string): Promise<{ file: string; push: Job<"push"> }> {
  const res = await fetch(`${server.url}/api/containers/${env}/tar`, { method: "POST", headers: server.bearer });
  if (res.status !== 202) throw new Error(`Create Tar: ${res.status} ${await res.text()}`);
  const jobs = async () => ((await (await fetch(`${server.url}/api/jobs`, { headers: server.bearer })).json()) as { jobs: Job[] }).jobs;
  const pkg = await waitFor(async () => (await jobs()).find((j) => j.kind === "package" && j.target === env && j.outcome), 30 * 60_000, "Create Tar");
  if (pkg.outcome?.result !== "succeeded") throw new Error(`Create Tar: ${pkg.outcome?.message}`);
  const file = String(pkg.outcome.details?.file);
  const push = await waitFor(async () => (await jobs()).find((j) => j.kind === "push" && j.target === file && j.outcome), 30 * 60_000, "the push");
  if (push.outcome?.result !== "succeeded") throw new Error(`push: ${push.outcome?.message}`);
  return { file, push: push as Job<"push"> };
}

export async function benchRegistry(ctx: BenchContext): Promise<void> {
  const runner = process.env.HAKURIVER_TEST_RUNNER1;
  if (!runner) return console.log("  skipped: no Runner engine (source scripts/test-env.sh)");
  const baseBytes = ctx.quick ? 64 * MiB : 1024 * MiB;
  const change = ctx.quick ? 4 * MiB : 10 * MiB;
  const size = ctx.quick ? "quick sizes: 64 MiB base + 4 MiB changes" : "1 GiB base + 10 MiB changes";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hr-bench-reg-"));
  const registry = await startOwnRegistry(path.join(dir, "a"), { deletes: true });
  const floorRegistry = await startOwnRegistry(path.join(dir, "b"), { deletes: true });
  const proxy = await startRegistryProxy(registry.address);
  const server = await startServer({ HAKURIVER_REGISTRY: proxy.address, HAKURIVER_REGISTRY_INSECURE: "1", HAKURIVER_TAR_KEEP: "5" });
  const r1 = new Docker({ socketPath: runner.replace(/^unix:\/\//, "") });
  const env = `bench-reg-${Date.now().toString(36)}`;
  const baseRef = `hakuriver-bench/regbase:${env}`;
  const images: string[] = [];
  try {
    // The base: one image layer of random bytes under the environment's own changes.
    const maker = await engine.createContainer({ Image: LOCAL_IMAGE, Cmd: ["sh", "-c", `head -c ${baseBytes} /dev/urandom > /base-data`] });
    await maker.start();
    await maker.wait();
    await maker.commit({ repo: baseRef.split(":")[0], tag: env });
    await maker.remove();
    await createViaApi(server, env, baseRef);
    await execIn(env, ["sh", "-c", `head -c ${change} /dev/urandom > /root/change-1`]);
    const v1 = await createTar(server, env);
    images.push((await engine.getImage(`hakuriver/${env}:base`).inspect()).Id);
    const floorV1 = `${floorRegistry.address}/hakuriver/${env}`;
    await engine.getImage(`hakuriver/${env}:base`).tag({ repo: floorV1, tag: "1" });
    await stream(await engine.getImage(floorV1).push({ tag: "1" }), engine);
    await execIn(env, ["sh", "-c", `head -c ${change} /dev/urandom > /root/change-2`]);
    const v2 = await createTar(server, env);
    images.push((await engine.getImage(`hakuriver/${env}:base`).inspect()).Id);

    // Push cost: the dashboard's push job of version 2 against docker push of it where version 1 is.
    await engine.getImage(`hakuriver/${env}:base`).tag({ repo: floorV1, tag: "2" });
    let t = now();
    await stream(await engine.getImage(floorV1).push({ tag: "2" }), engine);
    const pushFloor = (now() - t) / 1000;
    const pushJob = (Date.parse(v2.push.finishedAt!) - Date.parse(v2.push.startedAt)) / 1000;
    ctx.add({ section: "registry", measure: `docker push of version 2 (${size})`, value: pushFloor, unit: "s" });
    ctx.add({ section: "registry", measure: "push at Create Tar of version 2", value: pushJob, unit: "s", floor: pushFloor, ratio: pushJob / pushFloor, target: "≤ 1.2×", met: pushJob / pushFloor <= 1.2 });

    // Version 1 → 2 through the tarball: docker load of the file on a Runner that loaded version 1 from its file.
    const file = (f: string) => path.join(server.dataDir, "shared", "hakuriver-containers", f);
    await stream(await r1.loadImage(file(v1.file), { quiet: true }), r1);
    const tarBytes = fs.statSync(file(v2.file)).size;
    t = now();
    await stream(await r1.loadImage(file(v2.file), { quiet: true }), r1);
    const tarTime = (now() - t) / 1000;
    await r1.getImage(`hakuriver/${env}:base`).remove({ force: true }).catch(() => {});
    for (const id of images) await r1.getImage(id).remove({ force: true }).catch(() => {});

    // Through the registry: a Runner that pulled version 1 pulls version 2.
    const ref = (f: string) => `${proxy.address}/hakuriver/${env}:${f.match(/-(\d+)\.tar$/)![1]}`;
    await stream(await r1.pull(ref(v1.file)), r1);
    proxy.fetched.length = 0;
    t = now();
    await stream(await r1.pull(ref(v2.file)), r1);
    const pullTime = (now() - t) / 1000;
    const pullBytes = proxy.fetched.reduce((n, f) => n + f.bytes, 0);
    ctx.add({ section: "registry", measure: `version 1 → 2 through the tarball: bytes read (${size})`, value: tarBytes / MiB, unit: "MiB" });
    ctx.add({ section: "registry", measure: "version 1 → 2 through the registry: bytes fetched", value: pullBytes / MiB, unit: "MiB", floor: tarBytes / MiB, ratio: pullBytes / tarBytes, target: "≤ 0.05×", met: pullBytes / tarBytes <= 0.05 });
    ctx.add({ section: "registry", measure: "version 1 → 2 through the tarball: docker load", value: tarTime, unit: "s" });
    ctx.add({ section: "registry", measure: "version 1 → 2 through the registry: pull", value: pullTime, unit: "s", floor: tarTime, ratio: pullTime / tarTime, target: "≤ 0.2× (5× faster)", met: pullTime / tarTime <= 0.2 });
  } finally {
    await server.stop();
    await removeContainer(env);
    for (const id of images) for (const docker of [engine, r1]) await docker.getImage(id).remove({ force: true }).catch(() => {});
    await removeImage(baseRef);
    await proxy.close();
    await registry.stop();
    await floorRegistry.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(server.dataDir, { recursive: true, force: true });
  }
}
