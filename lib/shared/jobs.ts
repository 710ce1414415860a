import { formatBytes } from "./bytes";

/**
 * Long operations as one model (lib/jobs/): Create New Container, Create Tar ("package"), Verify,
 * New container from this version ("restore") and a Runner's Sync now. What the page and the API
 * see of a job; the registry that runs them is server-only.
 */

/** Each kind's steps, in order: typed, never read from a message. */
export interface JobPhases {
  create: "pulling" | "creating" | "starting";
  package: "committing" | "saving" | "finishing";
  verify: "reading";
  restore: "loading" | "creating" | "starting";
  sync: "loading";
  push: "preparing" | "loading" | "pushing";
}

export type JobKind = keyof JobPhases;

/** Each kind in the user's words (the seed's button labels). */
export const JOB_LABELS: Record<JobKind, string> = {
  create: "Create New Container",
  package: "Create Tar",
  verify: "Verify",
  restore: "New container from this version",
  sync: "Sync now",
  push: "Push to registry",
};

export type JobResult = "succeeded" | "failed" | "cancelled" | "interrupted";

export interface JobProgress {
  done: number;
  /** Unknown until the engine says (a pull's first layers). */
  total?: number;
  unit: "bytes" | "items";
}

export interface JobOutcome {
  result: JobResult;
  /** One plain sentence: what it did, or why not. */
  message: string;
  /** Why it failed, as the API's error codes say it (`failed:pull`, `conflict:container`, …). */
  code?: string;
  /** What it made or removed: the file written, the versions pruned, … */
  details?: Record<string, string | number | boolean | string[]>;
}

/**
 * One piece of a job that moves on its own: a layer a pull fetches, a version a Sync loads. `state`
 * is the piece's own word ("Downloading", "loaded", …); `error` says why that piece failed.
 */
export interface JobPart {
  name: string;
  state: string;
  done?: number;
  total?: number;
  /** What the piece is, when its name does not say (a Sync's version file). */
  label?: string;
  error?: string;
  /** How the piece was done when there are ways: a Sync's version pulled from the registry, or loaded from the tarball and why. */
  via?: string;
}

export interface Job<K extends JobKind = JobKind> {
  id: string;
  kind: K;
  /** What it works on: the environment, the version file, the Runner. */
  target: string;
  /** What it works with, known at its start: the container, the image, the note. */
  about?: Record<string, string>;
  /** Pieces that move on their own (a pull's layers, a Sync's versions). */
  parts?: JobPart[];
  /** Set once it cannot be cancelled any more (the container is made, the version published). */
  final?: boolean;
  /** Waiting for a turn (another job of its kind runs), before its first step. */
  waiting?: boolean;
  phase: JobPhases[K];
  progress?: JobProgress;
  startedAt: string;
  finishedAt?: string;
  /** Set once it ended. */
  outcome?: JobOutcome;
}

export const isRunning = (job: Pick<Job, "outcome">): boolean => job.outcome === undefined;

/** A failure stays until dismissed; the rest go by themselves after the retention time. */
export const needsDismissal = (job: Pick<Job, "outcome">): boolean => job.outcome?.result === "failed" || job.outcome?.result === "interrupted";

type About = Record<string, string | undefined>;
const PHASE_WORDS: { [K in JobKind]: Record<JobPhases[K], (about: About) => string> } = {
  create: {
    pulling: (a) => `Pulling ${a.image ?? "the image"}`,
    creating: (a) => `Creating container ${a.container ?? ""}`.trim(),
    starting: (a) => `Starting container ${a.container ?? ""}`.trim(),
  },
  package: {
    committing: (a) => `Committing ${a.container ?? "the container"}`,
    saving: () => "Saving",
    finishing: () => "Finishing",
  },
  verify: { reading: () => "Reading the file" },
  restore: {
    loading: (a) => `Loading ${a.file ?? "the version"}`,
    creating: (a) => `Creating container ${a.container ?? ""}`.trim(),
    starting: (a) => `Starting container ${a.container ?? ""}`.trim(),
  },
  sync: { loading: () => "Loading versions" },
  push: {
    preparing: (a) => `Preparing the push of ${a.ref ?? "the version"}`,
    loading: () => "Loading the version into the Host engine",
    pushing: (a) => `Pushing ${a.ref ?? "to the registry"}`,
  },
};

/** How far a job got, in a few words ("120 MiB of 242 MiB"); empty when it has not said. */
export function progressWords(progress: JobProgress | undefined): string {
  if (!progress || (progress.done === 0 && !progress.total)) return "";
  const n = (v: number) => (progress.unit === "bytes" ? formatBytes(v) : String(v));
  return progress.total ? `${n(progress.done)} of ${n(progress.total)}` : n(progress.done);
}

/**
 * The one sentence a job says, wherever it is shown (the notices and its row): its step and
 * progress while it runs, its outcome's message once it ended.
 */
export function jobWords(job: Job): string {
  if (job.outcome) return job.outcome.message;
  if (job.waiting) return "Waiting for its turn…";
  const words = (PHASE_WORDS[job.kind] as Record<string, (about: About) => string>)[job.phase];
  const step = words ? words(job.about ?? {}) : job.phase;
  const progress = progressWords(job.progress);
  return progress ? `${step}: ${progress}…` : `${step}…`;
}
