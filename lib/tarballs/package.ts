import "server-only";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { getConfig, getFlavor } from "@/lib/config";
import { processSignal, processWide } from "@/lib/runtime";
import { commitContainer, containerImageInfo, exportImage, inspectImage, removeImageIfUnused, removeImageTag, tagImage } from "@/lib/docker/images";
import { environmentContainer } from "@/lib/docker/containers";
import { AppError, toAppError } from "@/lib/shared/errors";
import { createdSeconds, MAX_TIMESTAMP_WAIT_MS, planTimestamp, tarballFileName, timestampForImage } from "@/lib/shared/tarball-names";
import { BASE_LABELS, readImageCreated } from "./image-config";
import { containerDir, directorySpace, listVersions, pruneVersions, versionTimestamps } from "./store";
import { isActive, type PackagingJob } from "@/lib/shared/tarballs";
import { writeTarball } from "./write";

/**
 * Create Tar jobs. They run in the background of the server process, one per environment at a
 * time, and outlive the request and the page that started them. The registry is process-wide (lib/runtime.ts)
 * because server.ts and Next's route bundles load this module separately but share the process;
 * a small journal in the data dir lets a restart report jobs a crash interrupted.
 */
interface Entry {
  job: PackagingJob;
  abort: AbortController;
  /** What the commit writes into the image: the note and the image it was made from. */
  note?: string;
  base?: string;
}

const KEEP_FINISHED_MS = 30 * 60_000;
function registry(): Map<string, Entry> {
  return processWide("packaging.jobs", () => new Map<string, Entry>());
}

const jobsChanged = processSignal("packaging");

/** Calls `listener` whenever a job starts, changes phase or writes more bytes (callers throttle). */
export const onJobsChanged = (listener: () => void) => jobsChanged.on(listener);
const changed = () => jobsChanged.emit();

function journalPath(): string {
  return path.join(/*turbopackIgnore: true*/ getConfig().dataDir, "packaging-jobs.json");
}

/** Records the jobs on disk (phase changes only, never per byte). Losing it loses only history. */
function writeJournal(): void {
  changed();
  try {
    const jobs = [...registry().values()].map((e) => e.job);
    fs.mkdirSync(path.dirname(journalPath()), { recursive: true });
    fs.writeFileSync(`${journalPath()}.tmp`, JSON.stringify(jobs));
    fs.renameSync(`${journalPath()}.tmp`, journalPath());
  } catch (err) {
    console.error("[hakuriver] could not write the packaging journal:", err);
  }
}

function forgetOldJobs(): void {
  const now = Date.now();
  for (const [env, { job }] of registry()) {
    if (!isActive(job) && job.finishedAt && now - Date.parse(job.finishedAt) > KEEP_FINISHED_MS) registry().delete(env);
  }
}

/**
 * At start-up: jobs the journal says were running died with the previous process. Report them as
 * interrupted (their temporary files are swept separately).
 */
export function recoverInterruptedJobs(): PackagingJob[] {
  let jobs: PackagingJob[] = [];
  try {
    jobs = JSON.parse(fs.readFileSync(journalPath(), "utf8")) as PackagingJob[];
  } catch {
    return [];
  }
  const interrupted: PackagingJob[] = [];
  for (const job of jobs) {
    if (isActive(job)) {
      job.phase = "interrupted";
      job.finishedAt = new Date().toISOString();
      job.error = "The dashboard stopped while this job ran; no partial file was kept and older versions are intact.";
      interrupted.push(job);
    }
    if (!registry().has(job.env)) registry().set(job.env, { job, abort: new AbortController() });
  }
  forgetOldJobs();
  writeJournal();
  return interrupted;
}

/** Current and recently finished jobs, newest first. */
export function listJobs(): PackagingJob[] {
  forgetOldJobs();
  return [...registry().values()].map((e) => ({ ...e.job })).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/**
 * Starts packaging a container as a new version of the environment it stands for, and returns at
 * once. Refuses a second job for the same environment while one runs.
 */
export async function startPackaging(ref: string, note?: string): Promise<PackagingJob> {
  const { container, env } = await environmentContainer(ref);
  const current = registry().get(env);
  if (current && isActive(current.job)) throw new AppError("conflict:packaging", `Already packaging ${env}.`);
  const info = await containerImageInfo(container);
  await checkSpace(env, info.sizeRootFs);
  // Checked again after the awaits: another request may have started meanwhile.
  const again = registry().get(env);
  if (again && isActive(again.job)) throw new AppError("conflict:packaging", `Already packaging ${env}.`);

  const entry: Entry = {
    job: { id: randomUUID(), env, container, phase: "committing", startedAt: new Date().toISOString(), bytesWritten: 0, ...(note ? { note } : {}) },
    abort: new AbortController(),
    note: note || undefined,
    // A container made from an earlier version keeps naming the image that version came from.
    base: BASE_LABELS.map((l) => info.labels[l]).find(Boolean) ?? info.image,
  };
  registry().set(env, entry);
  writeJournal();
  void run(entry);
  return { ...entry.job };
}

/** Free space counts as clearly too little below this share of the image's size. */
const SPACE_MARGIN = 0.9;

/**
 * Refuses up front when the container dir's file system clearly cannot hold the new version
 * (a tarball is about as large as the container's files), instead of failing half-way.
 */
async function checkSpace(env: string, size: number | undefined): Promise<void> {
  if (!size) return;
  const space = await directorySpace().catch(() => undefined);
  if (!space || space.free >= size * SPACE_MARGIN) return;
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  throw new AppError(
    "conflict:disk",
    `Not enough space for a new version of ${env}: ${mib(space.free)} free in ${getConfig().containerDir}, and its image is about ${mib(size)}. Delete older versions or free space there, then run Create Tar again.`,
  );
}

/** A Dockerfile LABEL value: double-quoted, with quotes, backslashes and `$` (no variable expansion) escaped. */
const labelValue = (value: string) => `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;

/** Cancels a running job; false when there is none. The job cleans up after itself. */
export function cancelPackaging(env: string): boolean {
  const entry = registry().get(env);
  // Once the file is published ("finishing") there is nothing left to cancel.
  if (!entry || (entry.job.phase !== "committing" && entry.job.phase !== "saving")) return false;
  entry.abort.abort();
  return true;
}

/** Aborts every running job (server shutdown) and waits briefly for their clean-up. */
export async function cancelAllPackaging(waitMs = 3000): Promise<void> {
  const running = [...registry().values()].filter((e) => isActive(e.job));
  for (const e of running) e.abort.abort();
  const deadline = Date.now() + waitMs;
  while (running.some((e) => isActive(e.job)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

function setPhase(entry: Entry, phase: PackagingJob["phase"]): void {
  entry.job.phase = phase;
  if (!isActive(entry.job)) entry.job.finishedAt = new Date().toISOString();
  writeJournal();
}

/** Sleeps `ms`, or rejects as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new AppError("failed:cancelled", "Cancelled."));
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AppError("failed:cancelled", "Cancelled."));
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * The seconds a new version must come after: every existing version's timestamp, and the `Created`
 * second of the image inside the newest one — a Runner holding that version compares with its
 * `Created`, which is later than its file's timestamp when that commit took a while.
 */
async function takenSeconds(env: string): Promise<number[]> {
  const existing = await versionTimestamps(env);
  const newest = (await listVersions()).filter((v) => v.env === env).sort((a, b) => b.timestamp - a.timestamp)[0];
  const created = newest ? await readImageCreated(path.join(await containerDir(), newest.file)) : undefined;
  return created ? [...existing, createdSeconds(created)] : existing;
}

/**
 * The version's timestamp, taken before the commit (see planTimestamp for why). When that second
 * is still to come, waits for it — up to MAX_TIMESTAMP_WAIT_MS; a version dated further ahead is
 * reported instead, since Runners would prefer it over anything made now.
 */
async function timestampBeforeCommit(env: string, signal: AbortSignal): Promise<{ timestamp: number; existing: number[] }> {
  const existing = await takenSeconds(env);
  const plan = planTimestamp(Date.now(), existing);
  if (plan.waitMs > MAX_TIMESTAMP_WAIT_MS) {
    const newest = Math.max(...existing);
    const file = (await versionTimestamps(env)).includes(newest) ? tarballFileName(env, newest) : `The image in the newest version of ${env}`;
    throw new AppError(
      "conflict:version",
      `${file} in shared storage is dated ${Math.round((newest * 1000 - Date.now()) / 1000)} s in the future; ` +
        "Runners would keep loading it instead of any new version. Delete it (or fix the clock of the host that wrote it) and run Create Tar again.",
    );
  }
  if (plan.waitMs > 0) await sleep(plan.waitMs, signal);
  return { timestamp: plan.timestamp, existing };
}

async function run(entry: Entry): Promise<void> {
  const { job, abort } = entry;
  const { repo, tag: tagName, ref: tag } = getFlavor().baseImage(job.env);
  const checkAborted = () => {
    if (abort.signal.aborted) throw new AppError("failed:cancelled", "Cancelled.");
  };
  let previous: { id: string } | undefined;
  let committed: string | undefined;
  try {
    const { timestamp: planned, existing } = await timestampBeforeCommit(job.env, abort.signal);
    previous = await inspectImage(tag);
    // The env labels describe the Host container, not what Runners run from the image.
    const prefix = getFlavor().labels.managed.replace(/\.managed$/, "");
    const changes = [`LABEL ${getFlavor().labels.managed}=false`];
    if (entry.base) changes.push(`LABEL ${prefix}.base=${labelValue(entry.base)}`);
    // Always set, so a version without a note does not inherit the note of the version it came from.
    changes.push(`LABEL ${prefix}.note=${labelValue(entry.note ?? "")}`);
    committed = await commitContainer(job.container, repo, tagName, changes, entry.note);
    checkAborted();
    const image = await inspectImage(committed);
    job.imageSize = image?.size;
    const created = image ? createdSeconds(image.created) : planned;
    const timestamp = timestampForImage(planned, created, existing);
    if (timestamp === undefined) {
      throw new AppError(
        "failed:clock",
        `The Docker engine dated the image ${new Date(created * 1000).toISOString()}, before the newest version of ${job.env}: its clock is behind. Fix the engine's clock and run Create Tar again.`,
      );
    }
    setPhase(entry, "saving");
    const source = (await exportImage(tag)) as Readable;
    const { file } = await writeTarball(job.env, source, {
      timestamp,
      latest: created,
      signal: abort.signal,
      onBytes: (n) => {
        job.bytesWritten = n;
        changed();
      },
    });
    job.file = file;
  } catch (err) {
    const cancelled = abort.signal.aborted;
    if (!cancelled) job.error = toAppError(err).message;
    // Nothing was published: put the tag back where it was (or remove the new one), so a failed
    // job changes nothing a Runner or user relies on.
    if (committed && previous?.id !== committed) {
      if (previous) await tagImage(previous.id, repo, tagName).catch(() => {});
      else await removeImageTag(tag);
      await removeImageIfUnused(committed);
    }
    setPhase(entry, cancelled ? "cancelled" : "failed");
    return;
  }
  // The new version is published: clean-up problems from here on are logged, not a failed job.
  setPhase(entry, "finishing");
  try {
    job.pruned = await pruneVersions(job.env, getConfig().tarKeep, job.file);
    if (previous && previous.id !== committed) await removeImageIfUnused(previous.id);
  } catch (err) {
    console.error(`[hakuriver] Create Tar of ${job.env}: clean-up after ${job.file} failed:`, err);
  }
  setPhase(entry, "done");
}
