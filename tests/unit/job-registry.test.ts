import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { Journal } from "@/lib/jobs/journal";
import { JobRegistry, type Done, type JobContext, type RegistryOptions } from "@/lib/jobs/registry";
import { AppError } from "@/lib/shared/errors";
import type { JobKind } from "@/lib/shared/jobs";

const tmpJournal = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hr-jobs-")), "jobs.jsonl");

function setup(options: Partial<RegistryOptions> = {}, file = tmpJournal()) {
  let now = Date.parse("2026-12-03T10:00:00Z");
  const registry = new JobRegistry(new Journal(file), { keepMs: 60_000, now: () => now, ...options });
  return { registry, file, advance: (ms: number) => (now += ms) };
}

/** A pipeline the test drives: it runs until `finish` or `fail` is called (or it is cancelled). */
function controlled<K extends JobKind>() {
  let ctx: JobContext<K> | undefined;
  let finish!: (done: Done) => void;
  let fail!: (err: Error) => void;
  let pipelineStarted!: () => void;
  const started = new Promise<void>((resolveStarted) => {
    pipelineStarted = resolveStarted;
  });
  const pipeline = (c: JobContext<K>) =>
    new Promise<Done>((resolve, reject) => {
      ctx = c;
      finish = resolve;
      fail = reject;
      c.signal.addEventListener("abort", () => reject(c.signal.reason));
      pipelineStarted();
    });
  return { pipeline, started, ctx: () => ctx!, finish: (d: Done) => finish(d), fail: (e: Error) => fail(e) };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("the job registry", () => {
  it("goes through a job's steps, progress and outcome, and tells listeners", async () => {
    const { registry } = setup();
    let changes = 0;
    registry.onChange(() => changes++);
    const p = controlled<"package">();
    const job = registry.start("package", "env-a", "committing", p.pipeline);
    await p.started;
    assert.deepEqual({ kind: job.kind, target: job.target, phase: job.phase, outcome: job.outcome }, { kind: "package", target: "env-a", phase: "committing", outcome: undefined });
    p.ctx().phase("saving");
    p.ctx().progress({ done: 10, total: 100, unit: "bytes" });
    assert.deepEqual(registry.get(job.id)?.progress, { done: 10, total: 100, unit: "bytes" });
    assert.equal(registry.get(job.id)?.phase, "saving");
    p.finish({ message: "Packaged as env-a-1.tar.", details: { file: "env-a-1.tar", pruned: ["env-a-0.tar"] } });
    await tick();
    const ended = registry.get(job.id)!;
    assert.deepEqual(ended.outcome, { result: "succeeded", message: "Packaged as env-a-1.tar.", details: { file: "env-a-1.tar", pruned: ["env-a-0.tar"] } });
    assert.ok(ended.finishedAt);
    assert.ok(changes >= 4, `${changes} changes`);
  });

  it("keeps a failure until it is dismissed, and a success only for the retention time", async () => {
    const { registry, advance } = setup({ keepMs: 1000 });
    const ok = controlled<"verify">();
    const bad = controlled<"verify">();
    const a = registry.start("verify", "a.tar", "reading", ok.pipeline);
    const b = registry.start("verify", "b.tar", "reading", bad.pipeline);
    await Promise.all([ok.started, bad.started]);
    ok.finish({ message: "ok" });
    bad.fail(new AppError("failed:tarball", "Damaged."));
    await tick();
    assert.equal(registry.get(b.id)?.outcome?.result, "failed");
    assert.equal(registry.get(b.id)?.outcome?.message, "Damaged.");
    advance(5000);
    assert.deepEqual(registry.list().map((j) => j.id), [b.id], "the success went, the failure stays");
    assert.equal(registry.cancelOrDismiss(b.id), "dismissed");
    assert.deepEqual(registry.list(), []);
    assert.equal(registry.cancelOrDismiss(a.id), undefined);
  });

  it("Cancel reaches the pipeline through its signal, and the job ends cancelled", async () => {
    const { registry } = setup();
    const p = controlled<"create">();
    const job = registry.start("create", "env-c", "pulling", p.pipeline);
    await p.started;
    assert.equal(registry.cancelOrDismiss(job.id), "cancelling");
    assert.equal(p.ctx().signal.aborted, true);
    await tick();
    assert.equal(registry.get(job.id)?.outcome?.result, "cancelled");
  });

  it("applies each kind's rules: one per target, a number at once, a bounded wait", async () => {
    const { registry } = setup({ rules: { package: { onePerTarget: true }, sync: { atOnce: 1, waitingMax: 1 } } });
    const first = controlled<"package">();
    registry.start("package", "env", "committing", first.pipeline);
    assert.throws(() => registry.start("package", "env", "committing", first.pipeline), (e: unknown) => e instanceof AppError && e.code === "conflict:job");
    registry.start("package", "other", "committing", controlled<"package">().pipeline);

    const s1 = controlled<"sync">();
    const s2 = controlled<"sync">();
    registry.start("sync", "r1", "loading", s1.pipeline);
    const waiting = registry.start("sync", "r2", "loading", s2.pipeline);
    assert.equal(waiting.waiting, true);
    assert.throws(() => registry.start("sync", "r3", "loading", controlled<"sync">().pipeline), /waiting already/);
    await s1.started;
    s1.finish({ message: "loaded" });
    await s2.started;
    assert.equal(registry.get(waiting.id)?.waiting, undefined, "its turn came");
  });

  it("a job cancelled while waiting ends at once and never runs", async () => {
    const { registry } = setup({ rules: { verify: { atOnce: 1 } } });
    const running = controlled<"verify">();
    registry.start("verify", "a.tar", "reading", running.pipeline);
    let ran = false;
    const waiting = registry.start("verify", "b.tar", "reading", async () => {
      ran = true;
      return { message: "" };
    });
    registry.cancelOrDismiss(waiting.id);
    assert.equal(registry.get(waiting.id)?.outcome?.result, "cancelled");
    await running.started;
    running.finish({ message: "ok" });
    await tick();
    await tick();
    assert.equal(ran, false);
  });

  it("after a crash mid-write: the journal's torn last line is skipped, running jobs come back interrupted, dismissed ones stay gone", async () => {
    const { registry, file } = setup();
    const running = controlled<"package">();
    const r = registry.start("package", "env-r", "committing", running.pipeline);
    await running.started;
    running.ctx().phase("saving");
    const done = controlled<"verify">();
    const d = registry.start("verify", "v.tar", "reading", done.pipeline);
    await done.started;
    done.fail(new Error("Damaged."));
    const gone = controlled<"verify">();
    const g = registry.start("verify", "g.tar", "reading", gone.pipeline);
    await gone.started;
    gone.fail(new Error("x"));
    await tick();
    registry.cancelOrDismiss(g.id);
    // kill -9 in the middle of the next append:
    fs.appendFileSync(file, `{"job":{"id":"${r.id}","kind":"package","target":"env-r","phase":"finishing","startedAt":"2026-`);

    const again = setup({}, file).registry;
    const interrupted = again.recover();
    assert.deepEqual(interrupted.map((j) => j.id), [r.id]);
    const back = again.get(r.id)!;
    assert.equal(back.phase, "saving", "the last whole line wins");
    assert.equal(back.outcome?.result, "interrupted");
    assert.equal(again.get(d.id)?.outcome?.result, "failed");
    assert.equal(again.get(g.id), undefined);
    // Compacted: every line whole, one per job.
    const lines = fs.readFileSync(file, "utf8").trim().split("\n");
    assert.equal(lines.length, 2);
    for (const l of lines) JSON.parse(l);
  });

  it("compacts the journal when it holds many more lines than jobs", async () => {
    const { registry, file } = setup();
    const p = controlled<"restore">();
    registry.start("restore", "env", "loading", p.pipeline);
    await p.started;
    for (let i = 0; i < 200; i++) p.ctx().phase(i % 2 ? "creating" : "starting");
    assert.ok(fs.readFileSync(file, "utf8").trim().split("\n").length < 80);
  });

  it("refuses Cancel once a job is final, and tells when a job has settled", async () => {
    const { registry } = setup();
    const p = controlled<"create">();
    const job = registry.start("create", "env-f", "pulling", p.pipeline, { about: { image: "127.0.0.1:5055/x:1" } });
    await p.started;
    assert.deepEqual(registry.get(job.id)?.about, { image: "127.0.0.1:5055/x:1" });
    p.ctx().parts([{ name: "layer-1", state: "Downloading", done: 5, total: 10 }]);
    assert.equal(registry.get(job.id)?.parts?.[0]?.done, 5);
    assert.equal(p.ctx().final("Too late: the container is made."), true);
    assert.throws(() => registry.cancelOrDismiss(job.id), (err: unknown) => err instanceof AppError && err.code === "conflict:job" && /container is made/.test(err.message));
    assert.equal(registry.get(job.id)?.outcome, undefined, "still running");
    let settled = false;
    const waiting = registry.settled(job.id).then((j) => ((settled = true), j));
    await tick();
    assert.equal(settled, false);
    p.finish({ message: "Made." });
    assert.equal((await waiting)?.outcome?.result, "succeeded");
    assert.equal(await registry.settled("no-such-id"), undefined);
  });

  it("a job cancelled before its point of no return cannot become final", async () => {
    const { registry } = setup();
    let final: boolean | undefined;
    let release!: () => void;
    const job = registry.start("create", "env-g", "pulling", async (ctx) => {
      await new Promise<void>((r) => (release = r));
      final = ctx.final("Too late.");
      if (!final) throw ctx.signal.reason;
      return { message: "Made." };
    });
    await tick();
    assert.equal(registry.cancelOrDismiss(job.id), "cancelling");
    release();
    const ended = await registry.settled(job.id);
    assert.equal(final, false);
    assert.equal(ended?.outcome?.result, "cancelled");
  });

  it("cancelAll aborts every running job and waits for their clean-up", async () => {
    const { registry } = setup();
    let cleaned = false;
    registry.start("package", "env-h", "committing", (ctx) => new Promise((_, reject) => ctx.signal.addEventListener("abort", () => setTimeout(() => ((cleaned = true), reject(ctx.signal.reason)), 20))));
    await tick();
    await registry.cancelAll(2000);
    assert.equal(cleaned, true);
    assert.equal(registry.list()[0]?.outcome?.result, "cancelled");
  });

  it("a job waiting for its turn shows the parts and progress it was started with", async () => {
    const { registry } = setup({ rules: { sync: { atOnce: 1 } } });
    const first = controlled<"sync">();
    registry.start("sync", "r1", "loading", first.pipeline);
    const waiting = registry.start("sync", "r2", "loading", controlled<"sync">().pipeline, {
      parts: [{ name: "app", label: "app-1.tar", state: "pending", done: 0, total: 300 }],
      progress: { done: 0, total: 300, unit: "bytes" },
    });
    assert.equal(waiting.waiting, true);
    assert.deepEqual(registry.get(waiting.id)?.parts?.map((p) => [p.label, p.state, p.total]), [["app-1.tar", "pending", 300]]);
    assert.equal(registry.get(waiting.id)?.progress?.total, 300);
  });
});
