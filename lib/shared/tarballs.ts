export interface TarballVersion {
  file: string;
  env: string;
  /** Unix seconds, from the file name (what Runners compare). */
  timestamp: number;
  size: number;
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

export type PackagingPhase = "committing" | "saving" | "finishing" | "done" | "failed" | "cancelled" | "interrupted";

/** A Create Tar job as the UI and API see it. */
export interface PackagingJob {
  id: string;
  env: string;
  container: string;
  phase: PackagingPhase;
  startedAt: string;
  finishedAt?: string;
  bytesWritten: number;
  /** The image's size as Docker reports it; the tarball ends up about this large. */
  imageSize?: number;
  /** The final file name, once done. */
  file?: string;
  /** Older versions removed by retention (HAKURIVER_TAR_KEEP) after this one was published. */
  pruned?: string[];
  error?: string;
}

export const ACTIVE_PHASES: readonly PackagingPhase[] = ["committing", "saving", "finishing"];

export function isActive(job: Pick<PackagingJob, "phase">): boolean {
  return ACTIVE_PHASES.includes(job.phase);
}
