import "server-only";
import path from "node:path";
import type { Readable } from "node:stream";
import { getConfig, getFlavor } from "@/lib/config";
import { commitContainer, containerImageInfo, exportImage, inspectImage, removeImageIfUnused, removeImageTag, tagImage } from "@/lib/docker/images";
import { environmentContainer } from "@/lib/docker/containers";
import { jobs, type Done, type JobContext } from "@/lib/jobs";
import { AppError } from "@/lib/shared/errors";
import { isRunning, type Job } from "@/lib/shared/jobs";
import { createdSeconds, MAX_TIMESTAMP_WAIT_MS, planTimestamp, tarballFileName, timestampForImage } from "@/lib/shared/tarball-names";
import { packageView, type PackageJob } from "@/lib/shared/tarballs";
import { BASE_LABELS, readImageCreated } from "./image-config";
import { containerDir, directorySpace, listVersions, pruneVersions, versionTimestamps } from "./store";
import { writeTarball } from "./write";
import { pushAfterCreateTar } from "@/lib/registry/push";
import { removeFromRegistry } from "@/lib/registry/remove";

/**
 * Create Tar ("package"): a job of the one registry (lib/jobs: one per environment, since two
 * would race for the same `:base` tag). It commits the environment's container as
 * `<flavour>/<env>:base`, saves that image into the container dir as a new version, then prunes
 * older versions. Until the file is published, a failure or Cancel puts the tag back where it was
 * and removes the committed image; the job records both images at once, so that a restart after a
 * crash does the same (undoInterruptedPackage, from lib/jobs/recovery.ts).
 */

const cancelled = () => new AppError("failed:cancelled", "Cancelled.");

/**
 * The running or last Create Tar of each environment (as before the registry: one per environment),
 * newest first, in the shape GET /api/tarballs/jobs answers. `jobs().list("package")` has them all.
 */
export function listPackageJobs(): PackageJob[] {
  const seen = new Set<string>();
  return jobs()
    .list("package")
    .filter((j) => !seen.has(j.target) && seen.add(j.target))
    .map((j) => packageView(j as Job<"package">));
}

const runningJob = (env: string) =>
  jobs()
    .list("package")
    .find((j) => j.target === env && isRunning(j));

function refuseBusy(env: string): void {
  if (runningJob(env)) throw new AppError("conflict:packaging", `Already packaging ${env}.`);
}

/**
 * Starts packaging a container as a new version of the environment it stands for, and returns at
 * once. Refuses a second job for the same environment while one runs, and refuses up front when
 * the container dir clearly lacks the space.
 */
export async function startPackage(ref: string, note?: string): Promise<PackageJob> {
  const { container, env } = await environmentContainer(ref);
  refuseBusy(env);
  const info = await containerImageInfo(container);
  await checkSpace(env, info.sizeRootFs);
  // Checked again after the awaits: another request may have started meanwhile.
  refuseBusy(env);
  // A container made from an earlier version keeps naming the image that version came from.
  const base = BASE_LABELS.map((l) => info.labels[l]).find(Boolean) ?? info.image;
  const about = { container, ...(base ? { base } : {}), ...(note ? { note } : {}) };
  return packageView(jobs().start("package", env, "committing", packageContainer, { about }));
}

/** Cancels a running Create Tar; false when none runs. Refused (`conflict:job`) once its file is published. */
export function cancelPackage(env: string): boolean {
  const job = runningJob(env);
  if (!job) return false;
  jobs().cancelOrDismiss(job.id);
  return true;
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

/** Sleeps `ms`, or rejects as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(cancelled());
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
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

/**
 * The job: commit (after waiting, if need be, for a timestamp no version has), save, publish,
 * prune. The commit is not aborted half-way (the engine would finish it, and the tag would move
 * to an image this job never learnt of): Cancel is seen right after it.
 */
async function packageContainer(ctx: JobContext<"package">): Promise<Done> {
  const env = ctx.job.target;
  const { container, base, note } = ctx.job.about ?? {};
  const { timestamp: planned, existing } = await timestampBeforeCommit(env, ctx.signal);
  const { repo, tag, ref } = getFlavor().baseImage(env);
  const previous = (await inspectImage(ref))?.id;
  const committed = await commitContainer(container, repo, tag, commitChanges(base, note), note || undefined);
  ctx.record({ previous: previous ?? "", committed });
  let saved: { file: string; imageSize?: number };
  try {
    if (ctx.signal.aborted) throw cancelled();
    saved = await saveVersion(ctx, committed, planned, existing);
  } catch (err) {
    // Nothing was published: a failed or cancelled job changes nothing a Runner or user relies on.
    if (previous !== committed) await restoreBase(env, previous, committed);
    if (ctx.signal.aborted) throw new AppError("failed:cancelled", `Create Tar of ${env} was cancelled; no file was kept.`);
    throw err;
  }
  const { file, imageSize } = saved;
  // Published: Cancel is refused from here on. (A Cancel that came in just before the file got its
  // name finds the job succeeded: the version exists.)
  ctx.final(`Too late to cancel: ${file} is published.`);
  ctx.phase("finishing");
  const pruned = await cleanUp(env, file, previous !== committed ? previous : undefined);
  const removed = pruned.length ? ` Removed older ${pruned.length === 1 ? "version" : "versions"}: ${pruned.join(", ")}.` : "";
  const pushing = await pushAfterCreateTar(file, committed);
  return {
    message: `Packaged ${container} as ${file}.${removed}${pushing}`,
    details: { file, container, ...(imageSize !== undefined ? { imageSize } : {}), pruned },
  };
}

/** The committed image's config: not a Host container, the image it came from, the note. */
function commitChanges(base: string | undefined, note: string | undefined): string[] {
  // The env labels describe the Host container, not what Runners run from the image.
  const prefix = getFlavor().labels.managed.replace(/\.managed$/, "");
  const changes = [`LABEL ${getFlavor().labels.managed}=false`];
  if (base) changes.push(`LABEL ${prefix}.base=${labelValue(base)}`);
  // Always set, so a version without a note does not inherit the note of the version it came from.
  changes.push(`LABEL ${prefix}.note=${labelValue(note ?? "")}`);
  return changes;
}

/** Saves the committed image (by its tag, which `docker load` gives back) as the version file. */
async function saveVersion(ctx: JobContext<"package">, committed: string, planned: number, existing: number[]): Promise<{ file: string; imageSize?: number }> {
  const env = ctx.job.target;
  const image = await inspectImage(committed);
  const created = image ? createdSeconds(image.created) : planned;
  const timestamp = timestampForImage(planned, created, existing);
  if (timestamp === undefined) {
    throw new AppError(
      "failed:clock",
      `The engine dated the image ${new Date(created * 1000).toISOString()}, before the newest version of ${env}: its clock is behind. Fix the engine's clock and run Create Tar again.`,
    );
  }
  ctx.phase("saving");
  const bytes = (done: number) => ctx.progress({ done, ...(image ? { total: image.size } : {}), unit: "bytes" });
  bytes(0);
  const source = (await exportImage(getFlavor().baseImage(env).ref)) as Readable;
  const { file } = await writeTarball(env, source, { timestamp, latest: created, signal: ctx.signal, onBytes: bytes });
  return { file, ...(image ? { imageSize: image.size } : {}) };
}

/** After publishing: retention, and the image the tag left. Problems are logged, not a failed job. */
async function cleanUp(env: string, file: string, replaced: string | undefined): Promise<string[]> {
  try {
    const pruned = await pruneVersions(env, getConfig().tarKeep, file);
    for (const old of pruned) {
      const said = await removeFromRegistry(old);
      if (said.startsWith(" Could not") || said.includes("does not allow")) console.error(`[hakuriver] Create Tar of ${env}:${said}`);
    }
    if (replaced) await removeImageIfUnused(replaced);
    return pruned;
  } catch (err) {
    console.error(`[hakuriver] Create Tar of ${env}: clean-up after ${file} failed:`, err);
    return [];
  }
}

/**
 * Puts `<flavour>/<env>:base` back on `previous` (or removes it when there was none) if it still
 * points to `committed`, then removes `committed` unless something uses it.
 */
async function restoreBase(env: string, previous: string | undefined, committed: string): Promise<void> {
  const { repo, tag, ref } = getFlavor().baseImage(env);
  const current = await inspectImage(ref).catch(() => undefined);
  if (current?.id === committed) {
    if (previous) await tagImage(previous, repo, tag).catch(() => {});
    else await removeImageTag(ref);
  }
  await removeImageIfUnused(committed);
}

/**
 * For a Create Tar the registry found interrupted (the process ended while it ran): undoes its
 * commit as a failure would have. Nothing to undo before the commit was recorded, nor once the
 * version was published (the tag then rightly names it). True when it had something to undo.
 */
export async function undoInterruptedPackage(job: Job<"package">): Promise<boolean> {
  const { previous, committed } = job.about ?? {};
  if (!committed || job.final || previous === committed) return false;
  await restoreBase(job.target, previous || undefined, committed);
  return true;
}
