import { containerDir, testRoot } from "../helpers/isolated-env";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createEnvironmentContainer } from "@/lib/docker/create-container";
import type { Job } from "@/lib/shared/jobs";
import { LOCAL_IMAGE, engine, execIn, removeContainer, removeImage, uniqueName } from "../helpers/docker";
import { startOwnRegistry, type OwnRegistry } from "../helpers/own-registry";
import { startRegistryProxy } from "../helpers/registry-proxy";
import { Runner, runnerEngineHost } from "../helpers/runner";
import { createTarAndWait } from "../helpers/runner-steps";

/**
 * Versions through an OCI registry (docs/registry.md) against Debian's docker-registry of the
 * test's own on loopback — basic auth (htpasswd) and deletes enabled — behind a counting proxy
 * (every blob GET and its bytes, on the registry's side), the Host engine and the Runner engines
 * scripts/test-env.sh starts: r1 (its own dockerd) pulls; the Podman Runner cannot be asked and
 * loads the tarball. The Runner played by the tests (tests/helpers/runner.ts) judges by its own rule.
 */
const USER = "hakuriver";
const PASSWORD = "s3cret-for-tests";
const registry: OwnRegistry = await startOwnRegistry(path.join(testRoot, "registry"), { deletes: true, user: USER, password: PASSWORD });
const proxy = await startRegistryProxy(registry.address);
process.env.HAKURIVER_REGISTRY = proxy.address;
process.env.HAKURIVER_REGISTRY_USER = USER;
process.env.HAKURIVER_REGISTRY_PASSWORD = PASSWORD;
process.env.HAKURIVER_REGISTRY_INSECURE = "1";
process.env.HAKURIVER_TAR_KEEP = "5";
const SSH = process.env.HAKURIVER_TEST_RUNNER2_SSH ?? "ssh://root@127.0.0.1:2232";
const TLS = process.env.HAKURIVER_TEST_RUNNER3_TLS ?? "tcp://127.0.0.1:2377";
process.env.HAKURIVER_RUNNERS = `r1=${runnerEngineHost()}, r2=${SSH}, r3=${TLS}, pod=${process.env.HAKURIVER_TEST_PODMAN ?? "unix:///run/hakuriver-test/podman.sock"}`;
// r2's client key and known_hosts, r3's client certificate, where the dashboard looks (as tests/integration/runners.test.ts).
const secrets = path.join(testRoot, "data", "runners");
const secret = (from: string, to: string) => {
  fs.mkdirSync(path.dirname(path.join(secrets, to)), { recursive: true });
  fs.copyFileSync(from, path.join(secrets, to));
  fs.chmodSync(path.join(secrets, to), 0o600);
};
secret(process.env.HAKURIVER_TEST_RUNNER2_SSH_KEY ?? "/var/lib/hakuriver-test/runner2/ssh/client_ed25519", "r2/id_ed25519");
secret(process.env.HAKURIVER_TEST_RUNNER2_KNOWN_HOSTS ?? "/var/lib/hakuriver-test/runner2/ssh/known_hosts", "known_hosts");
const tlsDir = process.env.HAKURIVER_TEST_RUNNER3_TLS_DIR ?? "/var/lib/hakuriver-test/runner3/tls";
for (const name of ["ca", "cert", "key"]) secret(path.join(tlsDir, `${name}.pem`), `r3/${name}.pem`);

const { jobs } = await import("@/lib/jobs");
const { listPackageJobs } = await import("@/lib/tarballs/package");
const { versionRegistry } = await import("@/lib/registry/state");
const { forgetState } = await import("@/lib/registry/state");
const { startPush } = await import("@/lib/registry/push");
const { execute } = await import("@/lib/commands");
const { OWNER } = await import("@/lib/auth/authorise");
const CALLER = { id: "test", principal: OWNER };
const { listSyncJobs, startSync } = await import("@/lib/runners/sync");
const { runnerStatus, findRunner } = await import("@/lib/runners/status");

const runner1 = new Runner({ engineHost: runnerEngineHost(), containerDir });
const runner2 = new Runner({ engineHost: process.env.HAKURIVER_TEST_RUNNER2 ?? "unix:///run/hakuriver-test/runner2.sock", containerDir });
const runner3 = new Runner({ engineHost: "unix:///run/hakuriver-test/runner3.sock", containerDir });
const made: string[] = [];
const imageIds = new Set<string>();

const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;
const MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
async function manifest(repo: string, tag: string): Promise<{ layers: { digest: string; size: number }[]; config: { digest: string; size: number } } | undefined> {
  const r = await fetch(`http://${registry.address}/v2/${repo}/manifests/${tag}`, { headers: { Authorization: basic, Accept: MANIFEST } });
  if (r.status === 404) return undefined;
  assert.equal(r.status, 200);
  return r.json() as never;
}

async function environment(prefix: string): Promise<string> {
  const env = uniqueName(prefix);
  made.push(env);
  await createEnvironmentContainer({ image: LOCAL_IMAGE, name: env });
  return env;
}

/** Create Tar with a fresh 2 MiB of its own, and the push job it starts (settled). */
async function createTar(env: string, marker: string): Promise<{ file: string; push?: Job<"push"> }> {
  assert.equal((await execIn(env, ["sh", "-c", `head -c 2097152 /dev/urandom > /root/${marker}`])).exitCode, 0);
  const file = await createTarAndWait(env, marker, made);
  imageIds.add((await engine.getImage(`hakuriver/${env}:base`).inspect()).Id);
  const started = jobs().latest("push", file);
  const push = started ? ((await jobs().settled(started.id)) as Job<"push">) : undefined;
  return { file, push };
}

async function syncOf(runner: string, env: string) {
  const planned = await startSync(runner, env);
  assert.ok(planned, `a Sync of ${env} on ${runner} is started`);
  const ended = (await jobs().settled(planned.id)) as Job<"sync">;
  assert.equal(ended.outcome?.result, "succeeded", ended.outcome?.message);
  return { ended, view: listSyncJobs().find((j) => j.id === planned.id)! };
}

before(() => {
  assert.ok(process.env.HAKURIVER_TEST_REGISTRY, "run through scripts/test-env.sh");
});

after(async () => {
  for (const env of made.filter((m) => !m.endsWith(".tar"))) {
    await removeContainer(env);
    await removeImage(`hakuriver/${env}:base`);
    for (const r of [runner1, runner2, runner3]) await r.forget(env);
  }
  for (const id of imageIds) for (const docker of [engine, runner1.engine, runner2.engine, runner3.engine]) await docker.getImage(id).remove({ force: true }).catch(() => {});
  await proxy.close();
  await registry.stop();
});

describe("Versions through a registry with basic auth", () => {
  it("Create Tar pushes; a Runner with version 1 pulls version 2 fetching only its new layer; the Runners' rule finds it up to date", async () => {
    const env = await environment("reg");
    const v1 = await createTar(env, "v1");
    assert.equal(v1.push?.outcome?.result, "succeeded", v1.push?.outcome?.message);
    const tag1 = v1.file.match(/-(\d+)\.tar$/)![1];
    const m1 = await manifest(`hakuriver/${env}`, tag1);
    assert.ok(m1, "the registry has <flavour>/<env>:<ts> of version 1");
    assert.equal(m1.config.digest, imageIds.size ? [...imageIds].at(-1) : "", "the registry's image is the committed image (same ID)");
    const state1 = await versionRegistry(v1.file);
    assert.deepEqual([state1?.state, state1?.ref, state1?.pull], ["in_registry", `${proxy.address}/hakuriver/${env}:${tag1}`, `docker pull ${proxy.address}/hakuriver/${env}:${tag1}`]);

    // Version 1 on r1 through the registry: everything is fetched once.
    const first = await syncOf("r1", env);
    assert.match(first.view.items[0].via ?? "", /^pulled from /, first.ended.outcome?.message);
    assert.equal(await runner1.needsSync(env), undefined, "the Runners' own rule: version 1 is up to date");

    const v2 = await createTar(env, "v2");
    assert.equal(v2.push?.outcome?.result, "succeeded", v2.push?.outcome?.message);
    const m2 = (await manifest(`hakuriver/${env}`, v2.file.match(/-(\d+)\.tar$/)![1]))!;
    assert.equal(await runner1.needsSync(env), v2.file, "the Runners' own rule: behind");
    const newLayers = m2.layers.filter((l) => !m1.layers.some((o) => o.digest === l.digest));
    assert.equal(newLayers.length, 1, "version 2 has one layer version 1 lacks");

    proxy.fetched.length = 0;
    const second = await syncOf("r1", env);
    // Layers fetched, once each: only the new one. (The image config, 1–2 KiB, is read twice: by the
    // engine's check that it reaches the registry, GET /distribution, and by the pull.)
    const layers = proxy.fetched.filter((f) => f.digest !== m2.config.digest);
    assert.deepEqual(layers, [{ digest: newLayers[0].digest, bytes: newLayers[0].size }], "only the new layer was fetched, in full, once");
    const configReads = proxy.fetched.filter((f) => f.digest === m2.config.digest);
    assert.ok(configReads.length <= 2 && configReads.every((f) => f.bytes === m2.config.size));
    assert.ok(m1.layers.every((l) => !proxy.fetched.some((f) => f.digest === l.digest)), "no layer of version 1 was fetched again");
    assert.equal(second.view.bytesSent, newLayers[0].size, "the job shows the bytes actually fetched");
    assert.ok(second.view.bytesSent < second.view.items[0].size * 2);

    // Same image ID as the tarball gives; the Runners' rule (file timestamp ≤ image Created) finds it up to date.
    const onRunner = await runner1.engine.getImage(`hakuriver/${env}:base`).inspect();
    assert.equal(onRunner.Id, (await engine.getImage(`hakuriver/${env}:base`).inspect()).Id);
    assert.equal(await runner1.needsSync(env), undefined);
    const status = await runnerStatus(findRunner("r1"));
    assert.equal(status.environments.find((e) => e.env === env)?.state, "up_to_date");
    assert.match(await runner1.runTask(env, ["cat", "/root/marker"]), /v2/);
    assert.deepEqual(runner1.loads, [], "the Runner itself never loaded a tarball");
  });

  it("Runners reached over SSH and over TLS pull from the registry too", async () => {
    const env = await environment("regremote");
    const v1 = await createTar(env, "v1");
    assert.equal(v1.push?.outcome?.result, "succeeded", v1.push?.outcome?.message);
    for (const [name, runner] of [["r2", runner2], ["r3", runner3]] as const) {
      const { view } = await syncOf(name, env);
      assert.match(view.items[0].via ?? "", /^pulled from /, `${name}: ${view.message}`);
      assert.equal(await runner.needsSync(env), undefined, `${name}: the Runners' own rule finds it up to date`);
      assert.equal((await runner.engine.getImage(`hakuriver/${env}:base`).inspect()).Id, (await engine.getImage(`hakuriver/${env}:base`).inspect()).Id);
    }
  });

  it("a Runner whose engine cannot be asked about the registry loads the tarball, and says why", async () => {
    const env = await environment("regpod");
    const v1 = await createTar(env, "v1");
    assert.equal(v1.push?.outcome?.result, "succeeded", v1.push?.outcome?.message);
    const pod = await syncOf("pod", env);
    assert.match(pod.view.items[0].via ?? "", /^loaded from the tarball: its engine cannot be asked/);
    assert.equal(pod.view.bytesSent, pod.view.items[0].size, "the whole file was sent");
    assert.match(pod.ended.outcome!.message, /loaded from the tarball/);
  });

  it("registry down during Create Tar: the tarball is published, the version says why it is not in the registry, Push again works once it is back", async () => {
    const env = await environment("regdown");
    await registry.stop();
    let v1;
    try {
      v1 = await createTar(env, "v1");
    } finally {
      await registry.start();
    }
    assert.ok(v1.push, "Create Tar started the push");
    assert.equal(v1.push.outcome?.result, "failed");
    // The registry behind the proxy is down: the proxy answers 502, as nginx in front of one would.
    assert.match(v1.push.outcome!.message, new RegExp(`^${v1.file} is not in the registry: ${proxy.address} answered /v2/ with 502 Bad Gateway\\.$`));
    const pkg = listPackageJobs().find((j) => j.file === v1.file);
    assert.equal(pkg?.phase, "done", "Create Tar itself succeeded");
    forgetState(v1.file);
    const down = await versionRegistry(v1.file);
    assert.equal(down?.state, "not_in_registry");
    assert.match(down!.reason!, /answered \/v2\/ with 502/);

    const again = await execute("tarball.push", CALLER, v1.file);
    assert.match(again.message, /^Pushing /);
    const job = jobs().latest("push", v1.file)!;
    const ended = await jobs().settled(job.id);
    assert.equal(ended?.outcome?.result, "succeeded", ended?.outcome?.message);
    assert.equal((await versionRegistry(v1.file))?.state, "in_registry");
  });

  it("deleting a version removes its tag from the registry", async () => {
    const env = await environment("regdel");
    const v1 = await createTar(env, "v1");
    const tag = v1.file.match(/-(\d+)\.tar$/)![1];
    assert.ok(await manifest(`hakuriver/${env}`, tag));
    const said = await execute("tarball.delete", CALLER, v1.file);
    assert.match(said.message, new RegExp(`^Deleted ${v1.file}\\. Deleted .*:${tag} from the registry\\.$`));
    assert.equal(await manifest(`hakuriver/${env}`, tag), undefined, "the registry no longer has the tag");
  });

  it("a version made before the option can be pushed from its row", async () => {
    const env = await environment("regold");
    const v1 = await createTar(env, "v1");
    // As if the option came later: the registry lost it, and the Host no longer holds the image.
    const { removeFromRegistry } = await import("@/lib/registry/remove");
    await removeFromRegistry(v1.file);
    await removeContainer(env);
    await removeImage(`hakuriver/${env}:base`);
    assert.equal((await versionRegistry(v1.file))?.state, "not_pushed");
    const job = await startPush(v1.file);
    const ended = await jobs().settled(job.id);
    assert.equal(ended?.outcome?.result, "succeeded", ended?.outcome?.message);
    assert.equal((await versionRegistry(v1.file))?.state, "in_registry");
  });
});
