import type { Job, JobPhases, JobResult } from "./jobs";

export interface TarballVersion {
  file: string;
  env: string;
  /** Unix seconds, from the file name (what Runners compare). */
  timestamp: number;
  size: number;
  /** Only in one environment's listing (`?env=`): the note inside the image, and the last Verify of this file. */
  note?: string;
  verification?: Verification;
  /** Only in one environment's listing: why a Runner cannot use this file, when it cannot (the Runner-contract check). */
  runnerProblem?: string;
  /** Only in one environment's listing, with HAKURIVER_REGISTRY set: whether the version is in the registry. */
  registry?: VersionRegistry;
}

/**
 * A version in the OCI registry (docs/registry.md): there (`in_registry`), being pushed, not there
 * with the reason (a failed push, or the registry lost it), never pushed (made before the option),
 * or `unknown` when the registry cannot be asked.
 */
export interface VersionRegistry {
  state: "in_registry" | "pushing" | "not_in_registry" | "not_pushed" | "unknown";
  /** `<registry>/<flavour>/<env>:<timestamp>`. */
  ref: string;
  /** The command that pulls it on any machine that reaches the registry. */
  pull: string;
  digest?: string;
  reason?: string;
}

export interface TarballEnvironment {
  name: string;
  latest: TarballVersion;
  /** Newest first. */
  versions: TarballVersion[];
  totalSize: number;
}

/** An environment without its version list: what the Shared Tarballs table shows before a row is expanded. */
export type EnvironmentSummary = Omit<TarballEnvironment, "versions"> & { versionCount: number };

export type PackagePhase = JobPhases["package"] | "done" | "failed" | "cancelled" | "interrupted";

/**
 * A Create Tar job as GET /api/tarballs/jobs and the Containers page's rows see it: a view of the
 * registry's `Job<"package">` (packageView).
 */
export interface PackageJob {
  id: string;
  env: string;
  container: string;
  phase: PackagePhase;
  startedAt: string;
  finishedAt?: string;
  bytesWritten: number;
  /** The image's size as Docker reports it; the tarball ends up about this large. */
  imageSize?: number;
  /** The final file name, once done. */
  file?: string;
  /** The note given to Create Tar (written into the image's commit message and label). */
  note?: string;
  /** Older versions removed by retention (HAKURIVER_TAR_KEEP) after this one was published. */
  pruned?: string[];
  /** Once it ended: what it did or why not, in the words of its job's outcome (as the Jobs notices say it). */
  message?: string;
  error?: string;
}

export const ACTIVE_PHASES: readonly PackagePhase[] = ["committing", "saving", "finishing"];

export function isActive(job: Pick<PackageJob, "phase">): boolean {
  return ACTIVE_PHASES.includes(job.phase);
}

const ENDED_AS: Record<JobResult, PackagePhase> = { succeeded: "done", failed: "failed", cancelled: "cancelled", interrupted: "interrupted" };

/**
 * The old Create Tar shape of a package job: its step while it runs, then how it ended; the bytes
 * from its progress, the file and what retention removed from its outcome. Pure, so the page can
 * derive it from a pushed job too.
 */
export function packageView(job: Job<"package">): PackageJob {
  const result = job.outcome?.result;
  const details = job.outcome?.details ?? {};
  const imageSize = job.progress?.total ?? (typeof details.imageSize === "number" ? details.imageSize : undefined);
  const note = job.about?.note;
  return {
    id: job.id,
    env: job.target,
    container: job.about?.container ?? job.target,
    phase: result ? ENDED_AS[result] : job.phase,
    startedAt: job.startedAt,
    ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
    bytesWritten: job.progress?.done ?? 0,
    ...(imageSize !== undefined ? { imageSize } : {}),
    ...(typeof details.file === "string" ? { file: details.file } : {}),
    ...(note ? { note } : {}),
    ...(Array.isArray(details.pruned) ? { pruned: details.pruned } : {}),
    ...(result === "failed" || result === "interrupted" ? { error: job.outcome!.message } : {}),
    ...(job.outcome ? { message: job.outcome.message } : {}),
  };
}

/** What one version holds, read from the tar itself (GET /api/tarballs/<file>). */
export interface VersionDetails {
  file: string;
  size: number;
  /** The file's modification time (ISO). */
  mtime: string;
  /** `docker` (Docker ≤ 24: `<id>/layer.tar`) or `oci` (Docker 25+: `blobs/sha256/…`). */
  layout?: "docker" | "oci";
  /** The image's ID (`sha256:` + the config's digest), as `docker images` shows it once loaded. */
  imageId?: string;
  /** The tags `docker load` gives it. */
  tags: string[];
  created?: string;
  layers: number;
  /** Sum of the layers' sizes in the archive. */
  layerBytes: number;
  architecture?: string;
  os?: string;
  /** The image it was made from, when a label says so. */
  base?: string;
  note?: string;
  entrypoint?: string[] | null;
  cmd?: string[] | null;
  workingDir?: string;
  user?: string;
  /** The first 500 at most (an archive may hold any number). */
  env: { name: string; value: string }[];
  /** How many the image has, when more than `env` shows. */
  envTotal?: number;
  labels?: Record<string, string>;
  /** Why the archive could not be read fully (not a tar, no manifest, …). */
  problem?: string;
  /** `gzip` when the file is a gzip'd tar (docker load decompresses it). */
  compression?: "gzip";
  /** Every image the archive holds, with the tags docker load gives it (the one described is `described`). */
  images?: { tags: string[]; imageId?: string; layers: number }[];
  /** Which of `images` is described: the one the Runners' tag ends up on (the last that names it), else the first. */
  described?: number;
  /** Whether a Runner can use the file. */
  contract?: RunnerContract;
  /** The last Verify of this exact file (same size and mtime), if any. */
  verification?: Verification;
}

/** Whether a Runner can use a file: docker load gives it `runnerTag`, and the name's timestamp ≤ that image's Created. */
export interface RunnerContract {
  ok: boolean;
  /** The tag Runners look for: `<flavour>/<env>:base`. */
  runnerTag?: string;
  /** Why not, each with what to do. */
  problems: string[];
}

/** A Verify run of one version: progress while it runs, then the outcome. */
export interface Verification {
  id: string;
  file: string;
  phase: "running" | "ok" | "damaged" | "failed" | "cancelled";
  startedAt: string;
  finishedAt?: string;
  bytesRead: number;
  size: number;
  /** The file's mtime when checked: a result holds only for the same size and mtime. */
  mtime: string;
  /** sha256 of the whole file (hex), once read to the end. */
  sha256?: string;
  /** What was checked, in words, when ok. */
  summary?: string;
  /** Exactly what is wrong, when damaged or failed. */
  problems?: string[];
  /** Whether a Runner can use the file (when it could be read). */
  contract?: RunnerContract;
}

/** Used and free space of the file system holding the container dir. */
export interface DirectorySpace {
  total: number;
  free: number;
  used: number;
  /** Bytes the tarballs themselves take. */
  tarballs: number;
}
