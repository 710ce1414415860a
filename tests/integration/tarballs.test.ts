import { containerDir } from "../helpers/isolated-env";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { stopContainer } from "@/lib/docker/containers";
import { createEnvironmentContainer } from "@/lib/docker/create-container";
import { AppError } from "@/lib/shared/errors";
import { jobs } from "@/lib/jobs";
import type { Job } from "@/lib/shared/jobs";
import { cancelPackage, listPackageJobs, startPackage, undoInterruptedPackage } from "@/lib/tarballs/package";
import { deleteVersion, listEnvironments } from "@/lib/tarballs/store";
import type { PackageJob } from "@/lib/shared/tarballs";
import { LOCAL_IMAGE, engine, execIn, removeContainer, removeImage, runOnce, uniqueName } from "../helpers/docker";

const made: string[] = [];
async function environment(prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  made.push(name);
  await createEnvironmentContainer({ image: LOCAL_IMAGE, name });
  return name;
}

after(async () => {
  for (const name of made) {
    await removeContainer(name);
    await removeImage(`hakuriver/${name}:base`);
  }
  fs.rmSync(path.dirname(path.dirname(containerDir)), { recursive: true, force: true });
});

async function waitForJob(env: string, until: (job: PackageJob) => boolean = (j) => !["committing", "saving", "finishing"].includes(j.phase), timeoutMs = 120_000): Promise<PackageJob> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = listPackageJobs().find((j) => j.env === env);
    if (job && until(job)) return job;
    if (Date.now() > deadline) throw new Error(`job for ${env} did not get there: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function packageOnce(env: string): Promise<PackageJob> {
  await startPackage(env);
  const job = await waitForJob(env);
  assert.equal(job.phase, "done", job.error);
  return job;
}

const filesOf = (env: string) => fs.readdirSync(containerDir).filter((f) => f.startsWith(`${env}-`)).sort();

describe("Create Tar on the real engine", () => {
  it("a Runner-style docker load of the tarball gives hakuriver/<name>:base with the container's files; a running container keeps running", async () => {
    const env = await environment("marker");
    const marker = `marker-${Date.now()}`;
    assert.equal((await execIn(env, ["sh", "-c", `echo ${marker} > /root/marker`])).exitCode, 0);

    const job = await packageOnce(env);
    assert.match(job.file!, new RegExp(`^${env}-\\d+\\.tar$`));
    assert.ok(job.bytesWritten > 0);
    assert.equal((await engine.getContainer(env).inspect()).State.Running, true, "still running after Create Tar");

    await removeImage(`hakuriver/${env}:base`);
    await new Promise((resolve, reject) =>
      engine.loadImage(path.join(containerDir, job.file!), {}, (err: unknown, stream?: NodeJS.ReadableStream) => {
        if (err || !stream) return reject(err);
        engine.modem.followProgress(stream, (e: unknown) => (e ? reject(e) : resolve(null)));
      }),
    );
    const loaded = await engine.getImage(`hakuriver/${env}:base`).inspect();
    assert.ok(loaded.RepoTags?.includes(`hakuriver/${env}:base`));
    assert.equal(loaded.Config.Labels?.["hakuriver.managed"], "false", "task containers from it are not listed as Host containers");
    assert.match(await runOnce(`hakuriver/${env}:base`, ["cat", "/root/marker"]), new RegExp(marker));
  });

  it("a stopped container stays stopped", async () => {
    const env = await environment("stopped");
    await stopContainer(env);
    await packageOnce(env);
    assert.equal((await engine.getContainer(env).inspect()).State.Running, false);
  });

  it("two tars within one second get distinct, increasing names, and retention keeps the newest N", async () => {
    const env = await environment("keep");
    const first = await packageOnce(env);
    const second = await packageOnce(env);
    const ts = (f: string) => Number(/-(\d+)\.tar$/.exec(f)![1]);
    assert.ok(ts(second.file!) > ts(first.file!), `${second.file} after ${first.file}`);
    const third = await packageOnce(env);
    assert.deepEqual(filesOf(env), [second.file, third.file].sort(), "HAKURIVER_TAR_KEEP=2 keeps the newest two");
    const listed = (await listEnvironments()).find((e) => e.name === env)!;
    assert.equal(listed.latest.file, third.file);
    assert.deepEqual(listed.versions.map((v) => v.file), [third.file, second.file]);
    // A new run replaces the finished runs of its environment in the registry; the old view shows that one.
    assert.deepEqual(jobs().list("package").filter((j) => j.target === env).map((j) => j.outcome?.details?.file), [third.file]);
    assert.deepEqual(listPackageJobs().filter((j) => j.env === env).map((j) => j.file), [third.file]);
  });

  it("a second job for the same environment is refused while one runs; another environment may run in parallel", async () => {
    const env = await environment("busy");
    const other = await environment("parallel");
    await startPackage(env);
    await assert.rejects(startPackage(env), (err: unknown) => err instanceof AppError && err.code === "conflict:packaging" && err.message === `Already packaging ${env}.`);
    await startPackage(other);
    assert.equal((await waitForJob(env)).phase, "done");
    assert.equal((await waitForJob(other)).phase, "done");
  });

  it("a job cancelled mid-stream leaves no partial file and the older versions intact; memory does not grow with the image", async () => {
    const env = await environment("cancel");
    const kept = await packageOnce(env);
    const before = fs.statSync(path.join(containerDir, kept.file!));
    // ~300 MiB of incompressible data, so the export takes long enough to interrupt.
    assert.equal((await execIn(env, ["sh", "-c", "head -c 314572800 /dev/urandom > /root/big"])).exitCode, 0);

    // Memory first: a full job over 300 MiB must not buffer it.
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const big = await packageOnce(env);
    clearInterval(sampler);
    assert.ok(big.bytesWritten > 300 * 1024 * 1024);
    const growth = (peak - baseline) / 1024 / 1024;
    assert.ok(growth < 64, `RSS grew ${growth.toFixed(1)} MiB while packaging 300 MiB`);

    await startPackage(env);
    await waitForJob(env, (j) => j.phase === "saving" && j.bytesWritten > 10 * 1024 * 1024);
    assert.equal(cancelPackage(env), true);
    const job = await waitForJob(env);
    assert.equal(job.phase, "cancelled");
    assert.deepEqual(filesOf(env), [kept.file, big.file].sort(), "no new version appeared");
    assert.deepEqual(fs.readdirSync(containerDir).filter((f) => f.startsWith(".")), [], "no temporary file remains");
    const after = fs.statSync(path.join(containerDir, kept.file!));
    assert.equal(after.size, before.size);
    assert.equal(after.mtimeMs, before.mtimeMs);
    assert.equal((await engine.getContainer(env).inspect()).State.Running, true);
  });

  it("a first Create Tar that is cancelled leaves no hakuriver/<name>:base behind", async () => {
    const env = await environment("firstcancel");
    assert.equal((await execIn(env, ["sh", "-c", "head -c 209715200 /dev/urandom > /root/big"])).exitCode, 0);
    await startPackage(env);
    await waitForJob(env, (j) => j.phase === "saving" && j.bytesWritten > 5 * 1024 * 1024);
    assert.equal(cancelPackage(env), true);
    assert.equal((await waitForJob(env)).phase, "cancelled");
    await assert.rejects(engine.getImage(`hakuriver/${env}:base`).inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
    assert.deepEqual(filesOf(env), []);
  });

  it("is a job of the one registry: kind package, its steps in order, progress in bytes, an outcome naming the file", async () => {
    const env = await environment("registry");
    const seen: string[] = [];
    let id = "";
    let progress: Job["progress"];
    const off = jobs().onChange(() => {
      const job = id ? jobs().get(id) : undefined;
      if (job && seen.at(-1) !== job.phase) seen.push(job.phase);
      if (job?.progress) progress = job.progress;
    });
    try {
      const view = await startPackage(env, "from the registry test");
      id = view.id;
      const listed = jobs().list("package").find((j) => j.id === id);
      assert.ok(listed, "listed by jobs().list(\"package\")");
      assert.equal(listed.kind, "package");
      assert.equal(listed.target, env);
      assert.deepEqual(listed.about, { container: env, base: LOCAL_IMAGE, note: "from the registry test" });
      const ended = (await jobs().settled(id))!;
      assert.equal(ended.outcome?.result, "succeeded", ended.outcome?.message);
      const file = ended.outcome?.details?.file;
      assert.match(String(file), new RegExp(`^${env}-\\d+\\.tar$`));
      assert.equal(ended.outcome?.message, `Packaged ${env} as ${file}.`);
      assert.deepEqual(ended.outcome?.details?.pruned, []);
      assert.equal(ended.final, true, "published: past the point of no return");
      assert.deepEqual(["committing", ...seen].filter((p, i, all) => all.indexOf(p) === i), ["committing", "saving", "finishing"]);
      assert.equal(progress?.unit, "bytes");
      assert.ok(progress!.done > 0 && progress!.total! > 0, JSON.stringify(progress));
      assert.equal(ended.outcome?.details?.imageSize, progress!.total);
      // The old shape, derived from the job.
      const old = listPackageJobs().find((j) => j.id === id)!;
      assert.deepEqual([old.phase, old.env, old.container, old.file, old.note, old.bytesWritten], ["done", env, env, file, "from the registry test", progress!.done]);
    } finally {
      off();
    }
  });

  it("Cancel once the file is published is refused, saying so; the version stays", async () => {
    const env = await environment("toolate");
    let refused: unknown;
    let id = "";
    const off = jobs().onChange(() => {
      const job = id ? jobs().get(id) : undefined;
      if (!job?.final || refused || job.outcome) return;
      try {
        cancelPackage(env);
        refused = new Error("Cancel was accepted after publishing");
      } catch (err) {
        refused = err;
      }
    });
    try {
      id = (await startPackage(env)).id;
      const ended = (await jobs().settled(id))!;
      assert.ok(refused instanceof AppError && refused.code === "conflict:job", String(refused));
      assert.equal(refused.message, `Too late to cancel: ${ended.outcome?.details?.file} is published.`);
      assert.equal(ended.outcome?.result, "succeeded");
      assert.deepEqual(filesOf(env), [ended.outcome?.details?.file]);
      assert.equal(cancelPackage(env), false, "nothing runs any more");
    } finally {
      off();
    }
  });

  it("after a crash mid-job, undoInterruptedPackage puts the :base tag back and removes the committed image", async () => {
    const env = await environment("undo");
    const ref = `hakuriver/${env}:base`;
    const interrupted = (about: Record<string, string>, final = false): Job<"package"> => ({
      id: `crashed-${env}`,
      kind: "package",
      target: env,
      about: { container: env, ...about },
      phase: "saving",
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      ...(final ? { final: true } : {}),
      outcome: { result: "interrupted", message: "The dashboard stopped while this ran." },
    });
    const commitAsBase = async () => ((await engine.getContainer(env).commit({ repo: `hakuriver/${env}`, tag: "base" })) as { Id: string }).Id;
    const gone = (image: string) => assert.rejects(engine.getImage(image).inspect(), (err: { statusCode?: number }) => err.statusCode === 404, `${image} is gone`);

    // The first Create Tar of an environment: there was no tag before.
    const first = await commitAsBase();
    assert.equal(await undoInterruptedPackage(interrupted({ previous: "", committed: first })), true);
    await gone(ref);
    await gone(first);

    // A later one: the tag goes back to the previous version's image.
    await packageOnce(env);
    const previous = (await engine.getImage(ref).inspect()).Id;
    const committed = await commitAsBase();
    assert.notEqual(committed, previous);
    assert.equal(await undoInterruptedPackage(interrupted({ previous, committed })), true);
    assert.equal((await engine.getImage(ref).inspect()).Id, previous);
    await gone(committed);

    // Once published (final), the tag rightly names the new image: nothing is undone.
    const published = await commitAsBase();
    assert.equal(await undoInterruptedPackage(interrupted({ previous, committed: published }, true)), false);
    assert.equal((await engine.getImage(ref).inspect()).Id, published);
  });

  it("lists files written by hand in HakuRiver's naming and ignores everything else", async () => {
    fs.mkdirSync(containerDir, { recursive: true });
    fs.writeFileSync(path.join(containerDir, "handmade-1700000000.tar"), "x".repeat(10));
    fs.writeFileSync(path.join(containerDir, "handmade-1700000100.tar"), "y".repeat(20));
    fs.writeFileSync(path.join(containerDir, "README.txt"), "not a tarball");
    fs.writeFileSync(path.join(containerDir, "noversion.tar"), "");
    fs.mkdirSync(path.join(containerDir, "adir-1700000000.tar"));
    fs.symlinkSync("/etc/hostname", path.join(containerDir, "link-1700000000.tar"));
    const envs = await listEnvironments();
    const handmade = envs.find((e) => e.name === "handmade");
    assert.ok(handmade);
    assert.deepEqual(handmade.versions.map((v) => [v.file, v.size]), [["handmade-1700000100.tar", 20], ["handmade-1700000000.tar", 10]]);
    assert.ok(!envs.some((e) => ["README", "noversion", "adir", "link"].includes(e.name)));
  });

  it("Delete removes only a matching regular file directly in the container dir", async () => {
    const outside = path.join(path.dirname(containerDir), "outside-1700000000.tar");
    fs.writeFileSync(outside, "keep me");
    fs.writeFileSync(path.join(containerDir, "victim-1700000000.tar"), "v");
    fs.symlinkSync(outside, path.join(containerDir, "escape-1700000000.tar"));
    const refuse = async (file: string, code: string) =>
      assert.rejects(deleteVersion(file), (err: unknown) => err instanceof AppError && err.code === code, file);
    await refuse("../outside-1700000000.tar", "bad_request:tarball");
    await refuse("README.txt", "bad_request:tarball");
    await refuse("escape-1700000000.tar", "bad_request:tarball");
    await refuse("absent-1700000000.tar", "not_found:tarball");
    assert.equal(fs.readFileSync(outside, "utf8"), "keep me");
    await deleteVersion("victim-1700000000.tar");
    assert.equal(fs.existsSync(path.join(containerDir, "victim-1700000000.tar")), false);
  });
});
