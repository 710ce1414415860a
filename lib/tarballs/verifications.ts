import "server-only";
import fs from "node:fs";
import path from "node:path";
import { getConfig } from "@/lib/config";
import { jobs } from "@/lib/jobs";
import { JobFailure } from "@/lib/jobs/registry";
import { processSignal, processWide } from "@/lib/runtime";
import { toAppError } from "@/lib/shared/errors";
import { isRunning, type Job } from "@/lib/shared/jobs";
import type { Verification } from "@/lib/shared/tarballs";
import { versionFile } from "./store";
import { verifyArchive } from "./verify";

/**
 * Verify runs as a job of the one registry (lib/jobs: two read at once, 32 wait, one per file;
 * Cancel aborts the read). What it found is kept apart, per file, as a verdict (in memory and in
 * `<data dir>/verifications.json`) for the exact file it checked: a verdict holds only while the
 * file has the same size and mtime. `Verification` is the view both give the page and the API.
 */
const KEEP_RESULTS = 2000;
const verdicts = () => processWide("verifications", () => ({ loaded: false, map: new Map<string, Verification>() }));
/** What a running Verify needs beside its job to be shown: the file's size and mtime when it started. */
const runningFiles = () => processWide("verifications.running", () => new Map<string, { size: number; mtime: string }>());
const signal = processSignal("verifications");

/** Calls `listener` whenever a Verify starts, reads more or ends (callers throttle). */
export const onVerificationsChanged = (listener: () => void) => {
  const offVerdicts = signal.on(listener);
  const offJobs = jobs().onChange((kind) => kind === "verify" && listener());
  return () => {
    offVerdicts();
    offJobs();
  };
};

const journal = () => path.join(/*turbopackIgnore: true*/ getConfig().dataDir, "verifications.json");

function stored(): Map<string, Verification> {
  const r = verdicts();
  if (!r.loaded) {
    r.loaded = true;
    try {
      for (const v of JSON.parse(fs.readFileSync(journal(), "utf8")) as Verification[]) {
        // One that was running when the process ended did not finish (from before the job registry).
        if (v.phase === "running") Object.assign(v, { phase: "cancelled", finishedAt: v.startedAt });
        r.map.set(v.file, v);
      }
    } catch {
      // No results yet (or an unreadable file): nothing to remember.
    }
  }
  return r.map;
}

function record(v: Verification): void {
  stored().delete(v.file);
  stored().set(v.file, v);
  try {
    const all = [...stored().values()].slice(-KEEP_RESULTS);
    fs.mkdirSync(path.dirname(journal()), { recursive: true });
    fs.writeFileSync(`${journal()}.tmp`, JSON.stringify(all), { mode: 0o600 });
    fs.renameSync(`${journal()}.tmp`, journal());
  } catch (err) {
    console.error("[hakuriver] could not write the Verify results:", err);
  }
  signal.emit();
}

/** A running Verify job as the page sees it. */
function runningView(job: Job): Verification | undefined {
  const file = runningFiles().get(job.id);
  if (!file || !isRunning(job)) return undefined;
  return { id: job.id, file: job.target, phase: "running", startedAt: job.startedAt, bytesRead: job.progress?.done ?? 0, size: file.size, mtime: file.mtime };
}

const running = (): Verification[] => jobs().list("verify").map(runningView).filter((v): v is Verification => v !== undefined);

/** Running and kept Verify runs, newest first. */
export function listVerifications(): Verification[] {
  const now = running();
  const files = new Set(now.map((v) => v.file));
  return [...now, ...[...stored().values()].filter((v) => !files.has(v.file)).map((v) => ({ ...v }))].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** The running or latest Verify of `file` if it describes the file as it is (same size and mtime). */
export function verificationOf(file: string, stat: { size: number; mtime: Date }): Verification | undefined {
  const v = running().find((r) => r.file === file) ?? stored().get(file);
  if (!v || v.size !== stat.size || v.mtime !== stat.mtime.toISOString()) return undefined;
  return { ...v };
}

/** Starts verifying one version and returns at once; refuses a second run of the same file (and past 32 waiting). */
export async function startVerification(file: string): Promise<Verification> {
  const { path: target, stat } = await versionFile(file);
  const meta = { size: stat.size, mtime: stat.mtime.toISOString() };
  const job = jobs().start("verify", file, "reading", async (ctx) => {
    const base = { id: ctx.job.id, file, startedAt: ctx.job.startedAt, ...meta };
    const ended = (v: Omit<Verification, keyof typeof base | "finishedAt">) => record({ ...base, ...v, finishedAt: new Date().toISOString() });
    try {
      const outcome = await verifyArchive(target, { signal: ctx.signal, onBytes: (n) => ctx.progress({ done: n, total: meta.size, unit: "bytes" }) });
      ended({ phase: outcome.ok ? "ok" : "damaged", bytesRead: meta.size, sha256: outcome.sha256, summary: outcome.summary, problems: outcome.problems, contract: outcome.contract });
      if (!outcome.ok) {
        throw new JobFailure("failed:tarball", `${file} is damaged: ${outcome.problems[0] ?? "see Verify"}`, { problems: outcome.problems, ...(outcome.sha256 ? { sha256: outcome.sha256 } : {}) });
      }
      return { message: `${file} is well-formed and whole.`, details: { sha256: outcome.sha256!, summary: outcome.summary ?? "" } };
    } catch (err) {
      if (err instanceof JobFailure) throw err;
      ended({ phase: ctx.signal.aborted ? "cancelled" : "failed", bytesRead: ctx.job.progress?.done ?? 0, problems: ctx.signal.aborted ? undefined : [toAppError(err).message] });
      throw err;
    } finally {
      runningFiles().delete(ctx.job.id);
    }
  });
  runningFiles().set(job.id, meta);
  return runningView(jobs().get(job.id) ?? job)!;
}

/** Cancels a running Verify; false when none runs. */
export function cancelVerification(file: string): boolean {
  const job = jobs()
    .list("verify")
    .find((j) => j.target === file && isRunning(j));
  if (!job) return false;
  jobs().cancelOrDismiss(job.id);
  // One cancelled while waiting for its turn never ran: nothing else will forget it.
  if (!isRunning(jobs().get(job.id) ?? job)) runningFiles().delete(job.id);
  return true;
}
