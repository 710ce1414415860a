import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Job } from "@/lib/shared/jobs";
import Docker from "dockerode";
import { LOCAL_IMAGE, PULL_IMAGE, removeContainer, removeImage, uniqueName } from "../helpers/docker";
import { createViaApi, startServer, waitFor, type TestServer } from "../helpers/server";

/**
 * The one job model on the production server (issue 24): a Verify started through its old endpoint
 * is a job in `GET /api/jobs` with a typed phase and progress; `kill -9` mid-run brings it back
 * `interrupted` and listed until dismissed; `DELETE /api/jobs/<id>` cancels a running job and
 * dismisses a finished one, for good (the journal survives restarts).
 */
let server: TestServer;
let dir: string;
let file: string;

const runner1 = process.env.HAKURIVER_TEST_RUNNER1;
const made: string[] = [];

before(async () => {
  server = await startServer(runner1 ? { HAKURIVER_RUNNERS: `r1=${runner1}` } : {});
  dir = path.join(server.dataDir, "shared", "hakuriver-containers");
  fs.mkdirSync(dir, { recursive: true });
  // 8 GiB of nothing (sparse: no disk used), which Verify still reads and hashes to the end.
  file = `${uniqueName("jobs")}-1700000000.tar`;
  fs.closeSync(fs.openSync(path.join(dir, file), "w"));
  fs.truncateSync(path.join(dir, file), 8 * 1024 ** 3);
});

after(async () => {
  await server?.stop();
  for (const name of made) {
    await removeContainer(name);
    await removeImage(`hakuriver/${name}:base`);
  }
  fs.rmSync(server.dataDir, { recursive: true, force: true });
});

const api = (p: string, init: RequestInit = {}) => fetch(`${server.url}${p}`, { ...init, headers: { ...server.bearer, ...init.headers } });
const listJobs = async () => ((await (await api("/api/jobs")).json()) as { jobs: Job[] }).jobs;
const verifyJob = async () => (await listJobs()).find((j) => j.kind === "verify" && j.target === file);

describe("jobs on the production server", () => {
  it("a Verify started through its old endpoint is a job with a typed phase and progress, and a crash brings it back interrupted", async () => {
    assert.equal((await api(`/api/tarballs/${file}/verify`, { method: "POST" })).status, 202);
    const running = await waitFor(async () => {
      const j = await verifyJob();
      return j && (j.progress?.done ?? 0) > 0 ? j : undefined;
    }, 30_000, "the Verify job to read");
    assert.equal(running.phase, "reading");
    assert.equal(running.outcome, undefined);
    assert.deepEqual({ total: running.progress?.total, unit: running.progress?.unit }, { total: 8 * 1024 ** 3, unit: "bytes" });

    await server.kill9();
    server = await server.restart();
    const back = await verifyJob();
    assert.equal(back?.id, running.id);
    assert.equal(back?.outcome?.result, "interrupted");
    assert.ok(back?.finishedAt);

    const dismissed = await api(`/api/jobs/${running.id}`, { method: "DELETE" });
    assert.equal(dismissed.status, 200);
    assert.match(((await dismissed.json()) as { message: string }).message, /^Dismissed Verify of /);
    assert.equal(await verifyJob(), undefined);
    await server.stop();
    server = await server.restart();
    assert.equal(await verifyJob(), undefined, "stays dismissed after a restart");
  });

  it("DELETE /api/jobs/<id> cancels a running job; the old endpoint says cancelled; a bad id is refused", async () => {
    assert.equal((await api(`/api/tarballs/${file}/verify`, { method: "POST" })).status, 202);
    const job = await waitFor(async () => verifyJob(), 10_000, "the job");
    const answer = await api(`/api/jobs/${job.id}`, { method: "DELETE" });
    assert.equal(answer.status, 200);
    assert.match(((await answer.json()) as { message: string }).message, /^Cancelling Verify of /);
    const ended = await waitFor(async () => {
      const j = await verifyJob();
      return j?.outcome ? j : undefined;
    }, 30_000, "the cancel to land");
    assert.equal(ended.outcome?.result, "cancelled");
    const old = (await (await api(`/api/tarballs/${file}/verify`)).json()) as { verification: { phase: string } };
    assert.equal(old.verification.phase, "cancelled");

    assert.equal((await api("/api/jobs/not-a-job", { method: "DELETE" })).status, 400);
    assert.equal((await api("/api/jobs/00000000-0000-4000-8000-000000000000", { method: "DELETE" })).status, 404);
  });

  it("a Verify that finds the file damaged is a failed job, with what it found, kept until dismissed", async () => {
    const small = `${uniqueName("jobsbad")}-1700000001.tar`;
    fs.writeFileSync(path.join(dir, small), Buffer.alloc(4096, 7));
    assert.equal((await api(`/api/tarballs/${small}/verify`, { method: "POST" })).status, 202);
    const ended = await waitFor(async () => {
      const j = (await listJobs()).find((x) => x.target === small);
      return j?.outcome ? j : undefined;
    }, 30_000, "the Verify to end");
    assert.equal(ended.outcome?.result, "failed");
    assert.match(ended.outcome?.message ?? "", /is damaged: Not a tar archive/);
    assert.ok(Array.isArray(ended.outcome?.details?.problems));
    assert.equal(typeof ended.outcome?.details?.sha256, "string");
  });

  it("each of the five kinds, started through its old endpoint, is a job with typed phases and progress; after a restart they keep their outcomes", async () => {
    assert.ok(runner1, "HAKURIVER_TEST_RUNNER1 (scripts/test-env.sh) names a Runner engine");
    const env = uniqueName("five");
    const restored = uniqueName("fiveback");
    made.push(env, restored);
    // Each job's phases as polled: the order of the kind's steps, whichever the poll caught.
    const watch = async (kind: Job["kind"], target: string) => {
      const seen: string[] = [];
      const ended = await waitFor(async () => {
        const j = (await listJobs()).find((x) => x.kind === kind && x.target === target);
        if (j && seen.at(-1) !== j.phase) seen.push(j.phase);
        return j?.outcome ? j : undefined;
      }, 120_000, `${kind} of ${target}`);
      assert.equal(ended.outcome?.result, "succeeded", `${kind}: ${ended.outcome?.message}`);
      return { job: ended, seen };
    };
    const inOrder = (seen: string[], steps: string[]) => assert.deepEqual(seen, steps.filter((s) => seen.includes(s)), `${seen} in the order ${steps}`);

    await createViaApi(server, env, LOCAL_IMAGE); // POST /api/containers
    const create = await watch("create", env);
    inOrder(create.seen, ["pulling", "creating", "starting"]);
    assert.equal(create.job.outcome?.details?.container, env);

    assert.equal((await api(`/api/containers/${env}/tar`, { method: "POST" })).status, 202);
    const pack = await watch("package", env);
    inOrder(pack.seen, ["committing", "saving", "finishing"]);
    assert.equal(pack.job.progress?.unit, "bytes");
    assert.ok((pack.job.progress?.done ?? 0) > 0, "bytes written");
    const version = String(pack.job.outcome?.details?.file);
    assert.match(version, new RegExp(`^${env}-\\d+\\.tar$`));
    assert.match(pack.job.outcome?.message ?? "", new RegExp(`Packaged ${env} as ${version}`));

    assert.equal((await api(`/api/tarballs/${version}/verify`, { method: "POST" })).status, 202);
    const verify = await watch("verify", version);
    assert.equal(verify.job.progress?.total, fs.statSync(path.join(dir, version)).size);

    const res = await api(`/api/tarballs/${version}/container`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: restored }) });
    assert.equal(res.status, 202, await res.clone().text());
    const restore = await watch("restore", restored);
    inOrder(restore.seen, ["loading", "creating", "starting"]);
    assert.equal(restore.job.about?.file, version);

    assert.equal((await api(`/api/runners/r1/sync?env=${env}`, { method: "POST" })).status, 202);
    const sync = await watch("sync", "r1");
    assert.deepEqual(sync.job.parts?.map((p) => [p.label, p.state]), [[version, "loaded"]]);
    assert.equal(sync.job.progress?.unit, "bytes");
    const held = await new Docker({ socketPath: runner1!.replace(/^unix:\/\//, "") }).getImage(`hakuriver/${env}:base`).inspect();
    assert.ok(held.Id);

    // The old endpoints answer as views of the same jobs.
    const creations = ((await (await api("/api/creations")).json()) as { creations: { id: string; phase: string }[] }).creations;
    assert.equal(creations.find((c) => c.id === restore.job.id)?.phase, "done");
    const packages = ((await (await api("/api/tarballs/jobs")).json()) as { jobs: { id: string; file?: string }[] }).jobs;
    assert.equal(packages.find((j) => j.id === pack.job.id)?.file, version);

    await server.stop();
    server = await server.restart();
    const after = await listJobs();
    for (const { job } of [create, pack, verify, restore, sync]) {
      const again = after.find((j) => j.id === job.id);
      assert.deepEqual([again?.kind, again?.outcome?.result, again?.outcome?.message], [job.kind, "succeeded", job.outcome?.message], `${job.kind} after a restart`);
    }
    await new Docker({ socketPath: runner1!.replace(/^unix:\/\//, "") }).getImage(`hakuriver/${env}:base`).remove({ force: true }).catch(() => {});
  });

  it("kill -9 mid-creation: the job comes back interrupted and no container is left", async () => {
    const { startSlowRegistry } = await import("../helpers/slow-registry");
    const slow = await startSlowRegistry(1024 * 1024);
    const env = uniqueName("killcreate");
    made.push(env);
    try {
      // Neither name may hold the layer locally, or the pull downloads nothing.
      await removeImage(slow.image());
      await removeImage(PULL_IMAGE);
      const res = await api("/api/containers", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ image: slow.image(), name: env }) });
      assert.equal(res.status, 200);
      const job = await waitFor(async () => {
        const j = (await listJobs()).find((x) => x.kind === "create" && x.target === env);
        return j && (j.progress?.done ?? 0) > 0 ? j : undefined;
      }, 60_000, "the pull to move");
      await server.kill9();
      server = await server.restart();
      const back = (await listJobs()).find((j) => j.id === job.id);
      assert.equal(back?.outcome?.result, "interrupted");
      assert.match(back?.outcome?.message ?? "", /stopped while this ran/);
      await assert.rejects(new Docker().getContainer(env).inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
    } finally {
      await slow.close();
      await removeImage(slow.image());
    }
  });
});
