import "server-only";
import { randomUUID } from "node:crypto";
import { constants } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type Docker from "dockerode";
import { getConfig, getFlavor } from "@/lib/config";
import { processWide } from "@/lib/runtime";
import { AppError } from "@/lib/shared/errors";
import { isSyncActive, type RunnerEndpoint, type SyncItem, type SyncJob } from "@/lib/shared/runners";
import { containerDir } from "@/lib/tarballs/store";
import { runnerEngine } from "./engines";
import { Limit } from "./limit";
import { askEngine, findRunner, listRunners, runnerStatus, unreachableReason } from "./status";

/**
 * Sync now: a Runner loads the newest version of its environments ahead of its next task, through
 * the engine API's image load (`POST /images/load`, the bytes streamed from shared storage here).
 * Exactly what the Runner itself would load — the files its rule names — and nothing else: no
 * containers, no other images, no pruning. One job per Runner at a time; at most
 * HAKURIVER_RUNNER_SYNC_LIMIT Runners load at once (shared storage and the network are the limit).
 */

/** How long a load may go without a byte moving before it is given up. */
const LOAD_IDLE_MS = 120_000;

interface Running {
  job: SyncJob;
  abort: AbortController;
}

const jobs = () => processWide("runners.syncJobs", () => new Map<string, Running>());
const loadLimit = () => processWide("runners.loadLimit", () => new Limit(getConfig().runnerSyncLimit));

export function listSyncJobs(): SyncJob[] {
  return [...jobs().values()].map((r) => structuredClone(r.job));
}

/**
 * Starts Sync now for one Runner: every environment its rule says it would load at its next task
 * ("behind"), or, with `env`, that one environment even if the Runner has none yet ("missing").
 * Resolves with the job once planned (undefined when there is nothing to load); the loads go on.
 */
export async function startSync(runnerName: string, env?: string): Promise<SyncJob | undefined> {
  const runner = findRunner(runnerName);
  const previous = jobs().get(runner.name);
  if (previous && isSyncActive(previous.job)) throw new AppError("conflict:sync", `${runner.name} is already syncing.`);
  const status = await runnerStatus(runner);
  if (!status.reachable) throw new AppError("unavailable:runner", `${runner.name} cannot be reached: ${status.reason}`);
  const wanted = status.environments.filter((e) => (env ? e.env === env && e.state !== "up_to_date" : e.state === "behind"));
  if (env && !status.environments.some((e) => e.env === env)) throw new AppError("not_found:environment", `No tarballs of ${env} in shared storage.`);
  if (wanted.length === 0) return undefined;
  const dir = await containerDir();
  const items: SyncItem[] = [];
  for (const e of wanted) {
    const st = await fs.lstat(path.join(dir, e.newest.file)).catch(() => undefined);
    if (st?.isFile()) items.push({ env: e.env, file: e.newest.file, size: st.size, state: "pending", bytesSent: 0 });
  }
  if (items.length === 0) return undefined;
  // Checked again now that the status call has been awaited: two clicks must not start two jobs.
  const current = jobs().get(runner.name);
  if (current && isSyncActive(current.job)) throw new AppError("conflict:sync", `${runner.name} is already syncing.`);
  const job: SyncJob = {
    id: randomUUID(),
    runner: runner.name,
    phase: "queued",
    startedAt: new Date().toISOString(),
    items,
    bytesSent: 0,
    bytesTotal: items.reduce((n, i) => n + i.size, 0),
  };
  const running: Running = { job, abort: new AbortController() };
  jobs().set(runner.name, running);
  void runJob(runner, running, dir);
  return structuredClone(job);
}

/** Sync now for every Runner at once; each Runner's outcome (a job, nothing to do, or why not). */
export async function startSyncAll(): Promise<{ runner: string; job?: SyncJob; error?: string }[]> {
  return Promise.all(
    listRunners().map(async (r) => {
      try {
        return { runner: r.name, job: await startSync(r.name) };
      } catch (err) {
        return { runner: r.name, error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
}

/** Cancels a Runner's sync: the load in flight is cut off, so the engine keeps its previous image. */
export function cancelSync(runnerName: string): boolean {
  const running = jobs().get(runnerName);
  if (!running || !isSyncActive(running.job)) return false;
  running.abort.abort(new AppError("failed:cancelled", "Cancelled."));
  return true;
}

async function runJob(runner: RunnerEndpoint, running: Running, dir: string): Promise<void> {
  const { job, abort } = running;
  try {
    for (const item of job.items) {
      if (abort.signal.aborted) break;
      await loadLimit().run(async () => {
        job.phase = "loading";
        await loadItem(runner, item, job, dir, abort.signal);
      }, abort.signal).catch((err) => {
        if (!abort.signal.aborted) throw err;
      });
    }
    if (abort.signal.aborted) {
      for (const item of job.items) if (item.state === "pending" || item.state === "loading") item.state = "cancelled";
      job.phase = "cancelled";
    } else {
      const failed = job.items.filter((i) => i.state === "failed");
      job.phase = failed.length ? "failed" : "done";
      if (failed.length) job.error = failed.map((i) => `${i.file}: ${i.error}`).join("; ");
    }
  } catch (err) {
    job.phase = "failed";
    job.error = err instanceof Error ? err.message : String(err);
  } finally {
    job.finishedAt = new Date().toISOString();
  }
}

/** Loads one version into the Runner unless it already holds it; marks the item with the outcome. */
async function loadItem(runner: RunnerEndpoint, item: SyncItem, job: SyncJob, dir: string, signal: AbortSignal): Promise<void> {
  const ref = getFlavor().baseImage(item.env).ref;
  const timestamp = Number(/-(\d+)\.tar$/.exec(item.file)?.[1]);
  try {
    // The Runner may have loaded it for a task meanwhile: never load a version twice.
    const before = (await askEngine(runner)).created.get(ref);
    if (before !== undefined && before >= timestamp) {
      item.state = "skipped";
      return;
    }
    item.state = "loading";
    const engine = runnerEngine(runner, 10_000);
    await streamLoad(engine, path.join(dir, item.file), signal, (n) => {
      item.bytesSent += n;
      job.bytesSent += n;
    });
    const after = (await askEngine(runner)).created.get(ref);
    if (after === undefined || after < timestamp) {
      throw new AppError("failed:sync", `The engine loaded ${item.file}, but ${ref} is still not that version; does the file hold another image?`);
    }
    item.state = "loaded";
  } catch (err) {
    if (signal.aborted) {
      item.state = "cancelled";
      return;
    }
    item.state = "failed";
    item.error = err instanceof AppError ? err.message : unreachableReason(runner, err, 10_000);
  }
}

/** `docker load` of one file through the engine API, counting the bytes sent; aborts on `signal`. */
async function streamLoad(engine: Docker, file: string, signal: AbortSignal, onBytes: (n: number) => void): Promise<void> {
  const handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  const source = handle.createReadStream({ highWaterMark: 1024 * 1024 });
  let idle: NodeJS.Timeout | undefined;
  const local = new AbortController();
  const stop = () => local.abort(signal.reason);
  signal.addEventListener("abort", stop, { once: true });
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => local.abort(new AppError("failed:sync", `No progress for ${LOAD_IDLE_MS / 1000} s.`)), LOAD_IDLE_MS);
  };
  source.on("data", (chunk) => {
    touch();
    onBytes(chunk.length);
  });
  local.signal.addEventListener("abort", () => source.destroy(), { once: true });
  // Cancel ends the load even when the transport never answers a destroyed upload (seen over SSH:
  // the engine call neither resolved nor failed, and the job stayed "loading").
  const aborted = new Promise<never>((_, reject) => local.signal.addEventListener("abort", () => reject(local.signal.reason), { once: true }));
  aborted.catch(() => {});
  try {
    touch();
    const response = (await Promise.race([engine.loadImage(source, { quiet: true, abortSignal: local.signal } as object), aborted])) as NodeJS.ReadableStream;
    await Promise.race([
      new Promise<void>((resolve, reject) => {
        engine.modem.followProgress(response, (err: unknown, events: { error?: string; errorDetail?: { message?: string } }[]) => {
          const failed = err ?? events?.find((e) => e.error)?.error;
          if (failed) reject(failed instanceof Error ? failed : new AppError("failed:sync", `The engine refused the file: ${String(failed)}`));
          else resolve();
        });
      }),
      aborted,
    ]);
    if (local.signal.aborted) throw local.signal.reason;
  } finally {
    clearTimeout(idle);
    signal.removeEventListener("abort", stop);
    source.destroy();
    await handle.close().catch(() => {});
  }
}
