import "server-only";
import { constants } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type Docker from "dockerode";
import { getFlavor } from "@/lib/config";
import { jobs, type Done, type JobContext } from "@/lib/jobs";
import { JobFailure } from "@/lib/jobs/registry";
import { dockerMessage } from "@/lib/docker/errors";
import { AppError } from "@/lib/shared/errors";
import { canonicalImageRef } from "@/lib/shared/image-refs";
import { isRunning, type Job, type JobPart } from "@/lib/shared/jobs";
import { parseTarballName } from "@/lib/shared/tarball-names";
import { loadProblem, syncView, type RunnerEndpoint, type SyncJob, type SyncVersion } from "@/lib/shared/runners";
import { containerDir } from "@/lib/tarballs/store";
import { runnerEngine } from "./engines";
import { pullPlan, pullVersion } from "./pull";
import { askEngine, findRunner, listRunners, runnerStatus, unreachableReason } from "./status";

/**
 * Sync now: a Runner loads the newest version of its environments ahead of its next task, through
 * the engine API's image load (`POST /images/load`, the bytes streamed from shared storage here).
 * Exactly what the Runner itself would load — the files its rule names — and nothing else: no
 * containers, no other images, no pruning. It runs as a job of the one registry (lib/jobs: one per
 * Runner, HAKURIVER_RUNNER_SYNC_LIMIT Runners load at once, the rest wait their turn); `SyncJob`
 * is the view GET /api/runners has always answered.
 */

/** How long a load may go without a byte moving before it is given up. */
const LOAD_IDLE_MS = 120_000;

/** A version being loaded: a part of the job whose file, size and bytes sent are always known. */
type VersionPart = JobPart & { label: string; done: number; total: number };

const runningSync = (runner: string) =>
  jobs()
    .list("sync")
    .find((j) => j.target === runner && isRunning(j));

/** The newest Sync of each Runner (as the Runners tab shows it), newest first. */
export function listSyncJobs(): SyncJob[] {
  // The registry keeps ended jobs for a while (failures until dismissed); the tab shows each Runner's last.
  const newest = new Map<string, Job>();
  for (const job of jobs().list("sync")) if (!newest.has(job.target)) newest.set(job.target, job);
  return [...newest.values()].map((j) => syncView(j as Job<"sync">));
}

function refuseSecond(runner: string): void {
  if (runningSync(runner)) throw new AppError("conflict:sync", `${runner} is already syncing.`);
}

/** The versions the Runner's rule names (or `env`'s newest), as files that are there to load. */
async function plan(runner: RunnerEndpoint, env: string | undefined): Promise<{ dir: string; versions: SyncVersion[] }> {
  const status = await runnerStatus(runner);
  if (!status.reachable) throw new AppError("unavailable:runner", `${runner.name} cannot be reached: ${status.reason}`);
  if (env && !status.environments.some((e) => e.env === env)) throw new AppError("not_found:environment", `No tarballs of ${env} in shared storage.`);
  const wanted = status.environments.filter((e) => (env ? e.env === env && e.state !== "up_to_date" : e.state === "behind"));
  const dir = await containerDir();
  const versions: SyncVersion[] = [];
  for (const e of wanted) {
    const st = await fs.lstat(path.join(dir, e.newest.file)).catch(() => undefined);
    if (st?.isFile()) versions.push({ env: e.env, file: e.newest.file, size: st.size });
  }
  return { dir, versions };
}

/**
 * Starts Sync now for one Runner: every environment its rule says it would load at its next task
 * ("behind"), or, with `env`, that one environment even if the Runner has none yet ("missing").
 * Resolves with the job once planned (undefined when there is nothing to load); the loads go on.
 */
export async function startSync(runnerName: string, env?: string): Promise<SyncJob | undefined> {
  const runner = findRunner(runnerName);
  refuseSecond(runner.name);
  const { dir, versions } = await plan(runner, env);
  if (versions.length === 0) return undefined;
  // Checked again now that the status call has been awaited: two clicks must not start two jobs.
  refuseSecond(runner.name);
  const parts = versions.map((v) => ({ name: v.env, label: v.file, state: "pending", done: 0, total: v.size }));
  const progress = { done: 0, total: versions.reduce((n, v) => n + v.size, 0), unit: "bytes" as const };
  const job = jobs().start("sync", runner.name, "loading", (ctx) => runSync(ctx, runner, dir, versions), { parts, progress });
  return syncView((jobs().get(job.id) ?? job) as Job<"sync">);
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
  const job = runningSync(runnerName);
  if (!job) return false;
  jobs().cancelOrDismiss(job.id);
  return true;
}

/** The pipeline: loads each version in turn; one that fails does not stop the others. */
async function runSync(ctx: JobContext<"sync">, runner: RunnerEndpoint, dir: string, versions: SyncVersion[]): Promise<Done> {
  const parts: VersionPart[] = versions.map((v) => ({ name: v.env, label: v.file, state: "pending", done: 0, total: v.size }));
  let total = versions.reduce((n, v) => n + v.size, 0);
  let sent = 0;
  const show = () => {
    ctx.parts(parts);
    ctx.progress({ done: sent, total, unit: "bytes" });
  };
  const onBytes = (part: VersionPart) => (n: number) => {
    part.done += n;
    sent += n;
    show();
  };
  // A pull fetches what the Runner lacks, not the file: its part counts the bytes fetched instead.
  const onFetched = (part: VersionPart) => (done: number, size: number) => {
    sent += done - part.done;
    total += size - part.total;
    part.done = done;
    part.total = size;
    show();
  };
  show();
  for (const part of parts) {
    if (ctx.signal.aborted) break;
    await loadPart(runner, part, dir, ctx.signal, { onBytes: onBytes(part), onFetched: onFetched(part), show });
    show();
  }
  for (const part of parts) if (part.state === "pending" || part.state === "loading") part.state = "cancelled";
  show();
  // Cancel took effect only if something was left unloaded; a Cancel after the last load is too late to matter.
  if (ctx.signal.aborted && parts.some((p) => p.state === "cancelled")) throw ctx.signal.reason;
  return outcome(runner.name, parts);
}

/** The job's outcome in plain words; a failure keeps which files loaded, were skipped or failed. */
function outcome(runner: string, parts: VersionPart[]): Done {
  const files = (state: string) => parts.filter((p) => p.state === state).map((p) => p.label);
  const via = parts.filter((p) => p.via && p.state === "loaded").map((p) => `${p.label} ${p.via}`);
  const details = { loaded: files("loaded"), skipped: files("skipped"), failed: files("failed"), ...(via.length ? { via } : {}) };
  const loaded = details.loaded.length ? ` It loaded ${words(details.loaded)}.` : "";
  const failed = parts.filter((p) => p.state === "failed");
  if (failed.length) {
    throw new JobFailure("failed:sync", `${runner} could not load ${failed.map((p) => `${p.label} (${p.error?.replace(/\.$/, "")})`).join("; ")}.${loaded}`, details);
  }
  const skipped = details.skipped.length ? `${details.loaded.length ? "; it already held" : " already held"} ${words(details.skipped)}` : "";
  const how = via.length ? ` (${via.join("; ")})` : "";
  return { message: `${runner}${details.loaded.length ? ` loaded ${words(details.loaded)}` : ""}${skipped}.${how}`, details };
}

const words = (list: string[]) => (list.length < 2 ? list.join("") : `${list.slice(0, -1).join(", ")} and ${list.at(-1)}`);

interface Meter {
  onBytes: (n: number) => void;
  onFetched: (done: number, total: number) => void;
  show: () => void;
}

/**
 * Brings one version to the Runner unless it already holds it — pulled from the registry when one is
 * configured, has it and the Runner's engine reaches it, else loaded from the tarball; marks the part.
 */
async function loadPart(runner: RunnerEndpoint, part: VersionPart, dir: string, signal: AbortSignal, { onBytes, onFetched, show }: Meter): Promise<void> {
  const ref = getFlavor().baseImage(part.name).ref;
  const timestamp = parseTarballName(part.label)?.timestamp ?? NaN;
  try {
    // The Runner may have loaded it for a task meanwhile: never load a version twice.
    const before = (await askEngine(runner)).created.get(ref);
    if (before !== undefined && before >= timestamp) {
      part.state = "skipped";
      return;
    }
    part.state = "loading";
    show();
    const engine = runnerEngine(runner, 10_000);
    const plan = await pullPlan(engine, part.label);
    let loaded: string[] | undefined;
    if (plan && "ref" in plan) {
      part.via = `pulled from ${plan.ref}`;
      await pullVersion(engine, plan.ref, part.name, signal, onFetched);
    } else {
      if (plan) part.via = `loaded from the tarball: ${plan.reason}`;
      loaded = await streamLoad(engine, path.join(dir, part.label), signal, onBytes);
    }
    const created = (await askEngine(runner)).created.get(ref);
    const problem = loadProblem({ ref, timestamp, created, loaded });
    if (problem) throw new AppError("failed:sync", problem);
    part.state = "loaded";
  } catch (err) {
    if (signal.aborted) {
      part.state = "cancelled";
      return;
    }
    part.state = "failed";
    part.error = err instanceof AppError ? err.message : unreachableReason(runner, err, 10_000);
  }
}

/**
 * What the engine says a load gave, canonical: tags from "Loaded image: …" (Podman may list several
 * after "Loaded image(s):"), image IDs from "Loaded image ID: …"; undefined when it said neither.
 */
function loadedNames(events: { stream?: string }[] | undefined): string[] | undefined {
  const names: string[] = [];
  for (const e of events ?? []) {
    const m = /^Loaded image(?:\(s\))?( ID)?:\s*(.+)$/.exec((e.stream ?? "").trim());
    if (!m) continue;
    for (const n of m[2].split(/[\s,]+/).filter(Boolean)) names.push(m[1] ? n : (canonicalImageRef(n) ?? n));
  }
  return names.length ? names : undefined;
}

/** The engine's refusal in one sentence, with what it most likely means when that is known. */
function refusal(said: string): AppError {
  const hint = /blobs\/json|manifest\.json: no such file/i.test(said)
    ? " — the file has no manifest.json: an OCI archive (podman save --format oci-archive, skopeo oci-archive:), which this engine's docker load cannot read"
    : /invalid tar header|unexpected EOF|not a tar/i.test(said)
    ? " — the file is not a complete tar archive of docker save"
    : "";
  return new AppError("failed:sync", `the engine refused the file: ${said}${hint}`);
}

/**
 * `docker load` of one file through the engine API, counting the bytes sent; aborts on `signal`.
 * Resolves with what the engine says it loaded (see `loadedNames`).
 */
async function streamLoad(engine: Docker, file: string, signal: AbortSignal, onBytes: (n: number) => void): Promise<string[] | undefined> {
  // A Cancel that came during the check before the load: its abort event has fired already.
  signal.throwIfAborted();
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
    const response = (await Promise.race([
      // An engine that answers the load with an error status (Docker 20.10 does for a file it cannot read) refused it.
      (engine.loadImage(source, { quiet: true, abortSignal: local.signal } as object) as Promise<unknown>).catch((err: { statusCode?: number }) => {
        throw err?.statusCode && !local.signal.aborted ? refusal(dockerMessage(err)) : err;
      }),
      aborted,
    ])) as NodeJS.ReadableStream;
    const loaded = await Promise.race([
      new Promise<string[] | undefined>((resolve, reject) => {
        engine.modem.followProgress(response, (err: unknown, events: { error?: string; stream?: string }[]) => {
          const failed = err ?? events?.find((e) => e.error)?.error;
          if (failed) reject(failed instanceof Error ? failed : refusal(String(failed)));
          else resolve(loadedNames(events));
        });
      }),
      aborted,
    ]);
    if (local.signal.aborted) throw local.signal.reason;
    return loaded;
  } finally {
    clearTimeout(idle);
    signal.removeEventListener("abort", stop);
    source.destroy();
    await handle.close().catch(() => {});
  }
}
