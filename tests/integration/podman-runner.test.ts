import { containerDir, testRoot } from "../helpers/isolated-env";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { createEnvironmentContainer } from "@/lib/docker/create-container";
import type { Job } from "@/lib/shared/jobs";
import { LOCAL_IMAGE, engine, removeContainer, removeImage, uniqueName } from "../helpers/docker";
import { Runner, runnerEngineHost } from "../helpers/runner";
import { createTarAndWait, crossCheck, envOf, settledWithin } from "../helpers/runner-steps";

/**
 * A Runner whose engine is Podman (Debian's podman 4.3, `podman system service` on a socket of its
 * own; scripts/test-env.sh), beside runner1 (Docker). Podman names a loaded `hakuriver/x:base`
 * `localhost/hakuriver/x:base`; a Runner on it still finds the image by the short name, and so
 * must the dashboard. Every status is cross-checked with the Runner's own rule (tests/helpers/runner.ts).
 */
const PODMAN = process.env.HAKURIVER_TEST_PODMAN ?? "unix:///run/hakuriver-test/podman.sock";
process.env.HAKURIVER_RUNNERS = `pm=${PODMAN}, r1=${runnerEngineHost()}`;

const { findRunner, runnerStatus } = await import("@/lib/runners/status");
const { startSync } = await import("@/lib/runners/sync");

const podmanRunner = new Runner({ engineHost: PODMAN, containerDir });
const dockerRunner = new Runner({ engineHost: runnerEngineHost(), containerDir });
const podman = podmanRunner.engine;
const envs: string[] = [];
const files: string[] = [];
const hostTags: string[] = [];

async function environment(prefix: string): Promise<string> {
  const env = uniqueName(prefix);
  envs.push(env);
  await createEnvironmentContainer({ image: LOCAL_IMAGE, name: env });
  return env;
}

const createTar = (env: string, marker: string) => createTarAndWait(env, marker, files);

const status = (name: string) => runnerStatus(findRunner(name));
/** Starts a Sync and waits for the registry's job to end. */
async function sync(runner: string, env?: string): Promise<Job<"sync">> {
  const planned = await startSync(runner, env);
  assert.ok(planned, `a Sync of ${runner} is started`);
  return settledWithin(planned.id, 120_000);
}

/** Bytes of this flavour's environment images on the Podman engine, summed by the test itself. */
async function podmanEnvImagesSize(): Promise<number> {
  const images = await podman.listImages();
  return images.filter((i) => (i.RepoTags ?? []).some((t) => /^(localhost\/|docker\.io\/)?hakuriver\/[^/]+:base$/.test(t))).reduce((n, i) => n + i.Size, 0);
}

/** A file in the shared dir made with `docker save` of `refs` (as any tool could), named `<env>-<timestamp>.tar`. */
function handMade(env: string, timestamp: number, ...refs: string[]): string {
  const file = `${env}-${timestamp}.tar`;
  fs.mkdirSync(containerDir, { recursive: true });
  execFileSync("docker", ["save", "-o", path.join(containerDir, file), ...refs]);
  files.push(file);
  return file;
}

after(async () => {
  for (const env of envs) {
    await removeContainer(env);
    await removeImage(`hakuriver/${env}:base`);
    await podmanRunner.forget(env);
    await dockerRunner.forget(env);
  }
  for (const tag of hostTags) await removeImage(tag);
});

describe("Podman as a Runner: status and Sync now by the Runners' own rule", () => {
  it("shows Missing, then Up to date with the image's size after Sync now; a second Sync loads nothing; behind after a new version", async () => {
    const env = await environment("podman");
    const v1 = await createTar(env, "v1");
    let s = await status("pm");
    assert.equal(s.reachable, true, s.reason);
    assert.match(s.version!, /^4\./, "Podman's version");
    assert.equal(envOf(s, env).state, "missing");
    await crossCheck(s, podmanRunner, env);
    const sizeBefore = s.disk!.imagesSize;
    assert.equal(sizeBefore, await podmanEnvImagesSize());

    const ended = await sync("pm", env);
    assert.equal(ended.outcome?.result, "succeeded", ended.outcome?.message);
    assert.equal(ended.outcome.message, `pm loaded ${v1}.`);
    const info = await podman.getImage(`hakuriver/${env}:base`).inspect();
    assert.ok(info.RepoTags?.includes(`localhost/hakuriver/${env}:base`), `Podman names it its own way: ${info.RepoTags}`);

    s = await status("pm");
    assert.deepEqual([envOf(s, env).state, envOf(s, env).matches], ["up_to_date", v1]);
    await crossCheck(s, podmanRunner, env);
    assert.equal(s.disk!.imagesSize, sizeBefore + info.Size, "the loaded image counts in the Runner's images size");
    assert.equal(s.disk!.imagesSize, await podmanEnvImagesSize());

    assert.equal(await startSync("pm", env), undefined, "Sync now again has nothing to load");
    assert.equal((await podman.getImage(`hakuriver/${env}:base`).inspect()).Id, info.Id);
    assert.equal(await podmanRunner.prepare(env), undefined, "the Runner's own rule loads nothing either");

    const v2 = await createTar(env, "v2");
    s = await status("pm");
    assert.deepEqual([envOf(s, env).state, envOf(s, env).newest.file, envOf(s, env).matches], ["behind", v2, v1]);
    await crossCheck(s, podmanRunner, env);
    const second = await sync("pm", env);
    assert.equal(second.outcome?.result, "succeeded", second.outcome?.message);
    s = await status("pm");
    assert.deepEqual([envOf(s, env).state, envOf(s, env).matches], ["up_to_date", v2]);
    await crossCheck(s, podmanRunner, env);
  });
});

describe("Sync names the real cause when a load leaves a Runner behind, on Docker and on Podman alike", () => {
  const created = async (ref: string) => Math.floor(Date.parse((await engine.getImage(ref).inspect()).Created) / 1000);

  for (const runner of ["r1", "pm"]) {
    const player = () => (runner === "pm" ? podmanRunner : dockerRunner);

    it(`${runner}: a file whose image carries another tag`, async () => {
      const env = uniqueName("othertag");
      envs.push(env);
      const other = `other-${env}/x:base`;
      await engine.getImage(LOCAL_IMAGE).tag({ repo: `other-${env}/x`, tag: "base" });
      hostTags.push(other);
      const file = handMade(env, await created(LOCAL_IMAGE), other);
      const ended = await sync(runner, env);
      assert.equal(ended.outcome?.result, "failed");
      console.log(`[podman-runner] ${runner}, another tag: ${ended.outcome.message}`);
      assert.match(ended.outcome.message, new RegExp(`^${runner} could not load ${file} \\(the file holds other-${env}/x:base, not hakuriver/${env}:base`));
      assert.doesNotMatch(ended.outcome.message, /another image/);
      await podmanRunner.engine.getImage(other).remove().catch(() => {});
      await dockerRunner.engine.getImage(other).remove().catch(() => {});
      await crossCheck(await status(runner), player(), env);
    });

    it(`${runner}: a file whose image has no tag`, async () => {
      const env = uniqueName("untagged");
      envs.push(env);
      const id = (await engine.getImage(LOCAL_IMAGE).inspect()).Id;
      const file = handMade(env, await created(LOCAL_IMAGE), id);
      const ended = await sync(runner, env);
      assert.equal(ended.outcome?.result, "failed");
      console.log(`[podman-runner] ${runner}, untagged: ${ended.outcome.message}`);
      assert.match(ended.outcome.message, new RegExp(`^${runner} could not load ${file} \\(the file's image has no tag`));
      await crossCheck(await status(runner), player(), env);
    });

    it(`${runner}: a name timestamp later than the image's Created`, async () => {
      const env = uniqueName("later");
      envs.push(env);
      const ref = `hakuriver/${env}:base`;
      await engine.getImage(LOCAL_IMAGE).tag({ repo: `hakuriver/${env}`, tag: "base" });
      const file = handMade(env, (await created(LOCAL_IMAGE)) + 3600, ref);
      const ended = await sync(runner, env);
      assert.equal(ended.outcome?.result, "failed");
      console.log(`[podman-runner] ${runner}, later timestamp: ${ended.outcome.message}`);
      assert.match(ended.outcome.message, new RegExp(`^${runner} could not load ${file} \\(${ref} in the file was created at .+, before the .+ its name says: by the Runners' rule it stays behind`));
      assert.doesNotMatch(ended.outcome.message, /another image/);
      const s = await status(runner);
      assert.equal(envOf(s, env).state, "behind", "the Runner holds it and still counts as behind");
      await crossCheck(s, player(), env);
    });

    it(`${runner}: an OCI archive (skopeo copy … oci-archive:), which Docker 20.10 cannot load and Podman can`, async () => {
      const env = uniqueName("oci");
      envs.push(env);
      const ref = `hakuriver/${env}:base`;
      await engine.getImage(LOCAL_IMAGE).tag({ repo: `hakuriver/${env}`, tag: "base" });
      const saved = path.join(testRoot, `${env}.docker.tar`);
      execFileSync("docker", ["save", "-o", saved, ref]);
      const file = `${env}-${await created(LOCAL_IMAGE)}.tar`;
      fs.mkdirSync(containerDir, { recursive: true });
      execFileSync("skopeo", ["copy", "-q", `docker-archive:${saved}`, `oci-archive:${path.join(containerDir, file)}:${ref}`]);
      files.push(file);
      const ended = await sync(runner, env);
      console.log(`[podman-runner] ${runner}, OCI archive: ${ended.outcome?.message}`);
      if (runner === "r1") {
        assert.equal(ended.outcome?.result, "failed");
        assert.match(ended.outcome.message, new RegExp(`^r1 could not load ${file} \\(the engine refused the file: .+ — the file has no manifest\\.json: an OCI archive`));
      } else {
        assert.equal(ended.outcome?.result, "succeeded", ended.outcome?.message);
        assert.equal(envOf(await status(runner), env).state, "up_to_date");
      }
      await crossCheck(await status(runner), player(), env);
    });
  }
});
