import { containerDir } from "../helpers/isolated-env";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { adoptContainer, listContainers } from "@/lib/docker/containers";
import { createEnvironmentContainer } from "@/lib/docker/create-container";
import { flavorOf, type FlavorName } from "@/lib/shared/flavor";
import { listPackageJobs, startPackage } from "@/lib/tarballs/package";
import type { PackageJob } from "@/lib/shared/tarballs";
import { LOCAL_IMAGE, engine, execIn, removeContainer, removeImage, uniqueName } from "../helpers/docker";
import { Runner, runnerEngineHost } from "../helpers/runner";

/**
 * The tarball contract, checked by a Runner that applies the Runner's own sync rule on an engine
 * of its own (tests/helpers/runner.ts). Shared by one test file per flavour, since the flavour is
 * process-wide configuration.
 */
export function runnerContract(flavorName: FlavorName): void {
  const flavor = flavorOf(flavorName);
  const runner = new Runner({ engineHost: runnerEngineHost(), containerDir, flavor: flavorName });
  const made: string[] = [];
  /** Largest gap seen between a version's `Created` second and its file timestamp, for the record. */
  let largestGap = 0;

  async function environment(prefix: string): Promise<string> {
    const env = uniqueName(prefix);
    made.push(env);
    await createEnvironmentContainer({ image: LOCAL_IMAGE, name: env });
    return env;
  }

  after(async () => {
    for (const env of made) {
      await removeContainer(flavor.containerName(env));
      await removeContainer(env);
      await removeImage(flavor.baseImage(env).ref);
      await runner.forget(env);
    }
    console.log(`[runner-contract ${flavorName}] largest Created − file timestamp gap: ${largestGap} s`);
  });

  async function waitForJob(env: string): Promise<PackageJob> {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const job = listPackageJobs().find((j) => j.env === env);
      if (job && !["committing", "saving", "finishing"].includes(job.phase)) return job;
      if (Date.now() > deadline) throw new Error(`job for ${env} did not finish: ${JSON.stringify(job)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  const stampOf = (file: string) => Number(/-(\d+)\.tar$/.exec(file)![1]);

  /** Create Tar through the dashboard; checks the file is never dated after the image it holds. */
  async function createTar(env: string): Promise<string> {
    await startPackage(flavor.containerName(env));
    const job = await waitForJob(env);
    assert.equal(job.phase, "done", job.error);
    const created = Math.floor(Date.parse((await engine.getImage(flavor.baseImage(env).ref).inspect()).Created) / 1000);
    const stamp = stampOf(job.file!);
    assert.ok(stamp <= created, `${job.file} is dated after its image's Created second (${created})`);
    largestGap = Math.max(largestGap, created - stamp);
    return job.file!;
  }

  const write = async (env: string, text: string) =>
    assert.equal((await execIn(flavor.containerName(env), ["sh", "-c", `echo ${text} > /root/marker`])).exitCode, 0);

  describe(`the ${flavorName} Runner's sync rule against tarballs made here`, () => {
    it("names the container, image and labels by the flavour", async () => {
      const env = await environment("flavour");
      const info = await engine.getContainer(flavor.containerName(env)).inspect();
      assert.equal(info.Config.Labels[flavor.labels.managed], "true");
      assert.equal(info.Config.Labels[flavor.labels.env], env);
      const listed = (await listContainers()).find((c) => c.envName === env);
      assert.equal(listed?.name, flavor.containerName(env));
      const file = await createTar(env);
      assert.match(file, new RegExp(`^${env}-\\d+\\.tar$`), "the file is named by the environment in both flavours");
      assert.ok(await engine.getImage(`${flavorName}/${env}:base`).inspect());
    });

    it("a fresh Runner loads a new version once, its task sees the container's files, and it does not load it again", async () => {
      const env = await environment("fresh");
      await write(env, "first-version");
      const file = await createTar(env);
      assert.match(await runner.runTask(env, ["cat", "/root/marker"]), /first-version/);
      assert.match(await runner.runTask(env, ["cat", "/root/marker"]), /first-version/);
      assert.deepEqual(runner.loads.filter((f) => f.startsWith(`${env}-`)), [file], "loaded exactly once");
      assert.equal(await runner.needsSync(env), undefined);
    });

    it("a second Create Tar, made while the Runner holds the older image, is loaded exactly once more", async () => {
      const env = await environment("second");
      await write(env, "v1");
      const v1 = await createTar(env);
      assert.match(await runner.runTask(env, ["cat", "/root/marker"]), /v1/);
      await write(env, "v2");
      const v2 = await createTar(env);
      assert.ok(stampOf(v2) > stampOf(v1));
      assert.equal(await runner.needsSync(env), v2, "the Runner holding v1 sees v2 as newer");
      assert.match(await runner.runTask(env, ["cat", "/root/marker"]), /v2/);
      await runner.runTask(env, ["true"]);
      assert.deepEqual(runner.loads.filter((f) => f.startsWith(`${env}-`)), [v1, v2]);
    });

    it("two Create Tars in quick succession: increasing names, and the Runner loads only the newest, once", async () => {
      const env = await environment("quick");
      await write(env, "one");
      const first = await createTar(env);
      await write(env, "two");
      const second = await createTar(env);
      assert.ok(stampOf(second) > stampOf(first), `${second} after ${first}`);
      assert.match(await runner.runTask(env, ["cat", "/root/marker"]), /two/);
      await runner.runTask(env, ["true"]);
      assert.deepEqual(runner.loads.filter((f) => f.startsWith(`${env}-`)), [second]);
    });

    it("when the newest existing version is dated a few seconds ahead (another host's clock), Create Tar waits for that second instead of dating the file after its content", async () => {
      const env = await environment("ahead");
      const ahead = Math.floor(Date.now() / 1000) + 2;
      fs.writeFileSync(path.join(containerDir, `${env}-${ahead}.tar`), "written by a host whose clock runs ahead");
      await write(env, "after-ahead");
      const file = await createTar(env);
      assert.ok(stampOf(file) > ahead, `${file} is newer than the version dated ${ahead}`);
      assert.match(await runner.runTask(env, ["cat", "/root/marker"]), /after-ahead/);
      await runner.runTask(env, ["true"]);
      assert.deepEqual(runner.loads.filter((f) => f.startsWith(`${env}-`)), [file]);
    });

    it("a version dated far in the future is reported by name, and no image or file is made", async () => {
      const env = await environment("future");
      const planted = `${env}-9000000000000.tar`;
      fs.writeFileSync(path.join(containerDir, planted), "planted");
      await startPackage(flavor.containerName(env));
      const job = await waitForJob(env);
      assert.equal(job.phase, "failed");
      assert.match(job.error ?? "", new RegExp(`${planted.replace(/\./g, "\\.")} in shared storage is dated .* in the future`));
      await assert.rejects(engine.getImage(flavor.baseImage(env).ref).inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
      assert.deepEqual(fs.readdirSync(containerDir).filter((f) => f.startsWith(`${env}-`)), [planted]);
    });

    it("an image of over 100 MiB, whose export takes seconds, is still loaded once", async () => {
      const env = await environment("large");
      assert.equal((await execIn(flavor.containerName(env), ["sh", "-c", "head -c 157286400 /dev/urandom > /root/big && echo large > /root/marker"])).exitCode, 0);
      const started = Date.now();
      const file = await createTar(env);
      console.log(`[runner-contract ${flavorName}] 150 MiB Create Tar took ${((Date.now() - started) / 1000).toFixed(1)} s`);
      assert.ok(fs.statSync(path.join(containerDir, file)).size > 150 * 1024 * 1024);
      assert.match(await runner.runTask(env, ["cat", "/root/marker"]), /large/);
      assert.equal(await runner.needsSync(env), undefined, "the Runner's image is not older than the file");
      await runner.runTask(env, ["true"]);
      assert.deepEqual(runner.loads.filter((f) => f.startsWith(`${env}-`)), [file]);
    });

    it("a container the Python host made (no labels) is adopted, listed from then on, and packaged for Runners", async () => {
      const name = uniqueName("legacy");
      made.push(name);
      // What the Python host runs: docker run -d --name <name> <image> sleep infinity.
      const c = await engine.createContainer({ name, Image: LOCAL_IMAGE, Cmd: ["sleep", "infinity"] });
      await c.start();
      assert.ok(!(await listContainers()).some((x) => x.name === name), "not listed before adoption");
      const before = (await listContainers({ all: true })).find((x) => x.name === name)!;
      assert.deepEqual([before.managed, before.adoptable], [false, true]);
      const adopted = await adoptContainer(name);
      assert.deepEqual([adopted.managed, adopted.adopted, adopted.envName], [true, true, name]);
      assert.ok((await listContainers()).some((x) => x.name === name), "listed after adoption");
      await execIn(name, ["sh", "-c", "echo adopted > /root/marker"]);
      await startPackage(name);
      const job = await waitForJob(name);
      assert.equal(job.phase, "done", job.error);
      assert.match(await runner.runTask(name, ["cat", "/root/marker"]), /adopted/);
    });
  });
}
