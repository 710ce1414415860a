import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Job } from "@/lib/shared/jobs";
import { uniqueName } from "../helpers/docker";
import { startServer, waitFor, type TestServer } from "../helpers/server";

/**
 * The one job model on the production server (issue 24): a Verify started through its old endpoint
 * is a job in `GET /api/jobs` with a typed phase and progress; `kill -9` mid-run brings it back
 * `interrupted` and listed until dismissed; `DELETE /api/jobs/<id>` cancels a running job and
 * dismisses a finished one, for good (the journal survives restarts).
 */
let server: TestServer;
let dir: string;
let file: string;

before(async () => {
  server = await startServer();
  dir = path.join(server.dataDir, "shared", "hakuriver-containers");
  fs.mkdirSync(dir, { recursive: true });
  // 8 GiB of nothing (sparse: no disk used), which Verify still reads and hashes to the end.
  file = `${uniqueName("jobs")}-1700000000.tar`;
  fs.closeSync(fs.openSync(path.join(dir, file), "w"));
  fs.truncateSync(path.join(dir, file), 8 * 1024 ** 3);
});

after(async () => {
  await server?.stop();
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
});
