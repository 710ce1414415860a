import "server-only";
import { randomUUID } from "node:crypto";
import { AppError, toAppError } from "@/lib/shared/errors";
import { JOB_LABELS, isRunning, needsDismissal, type Job, type JobKind, type JobOutcome, type JobPart, type JobPhases, type JobProgress } from "@/lib/shared/jobs";
import type { Journal } from "./journal";

/**
 * One registry runs every long operation. A pipeline is an async function given a JobContext: it
 * reports its steps and progress, watches `signal` (Cancel aborts it, and the signal reaches the
 * engine call), and returns what it did. The registry keeps the job's state, journals its steps
 * and outcome, applies each kind's concurrency rule, and forgets finished jobs by one retention
 * rule: a failure (or an interruption) stays until dismissed, the rest for `keepMs`.
 */
export interface JobContext<K extends JobKind> {
  readonly signal: AbortSignal;
  readonly job: Readonly<Job<K>>;
  phase(phase: JobPhases[K]): void;
  progress(progress: JobProgress): void;
  /**
   * Records what the job made or replaced (journaled at once), so that a restart after a crash can
   * undo it: the container's ID, the image a tag pointed to before.
   */
  record(about: Record<string, string>): void;
  /** The pieces' state (shown live; journaled with the next step or the outcome). */
  parts(parts: JobPart[]): void;
  /**
   * The point of no return: from now on Cancel is refused with `tooLate` (the container is made,
   * the version published). False, and nothing changes, when the job was cancelled already.
   */
  final(tooLate: string): boolean;
}

/** What a pipeline returns: the success message and what it made. */
export type Done = Pick<JobOutcome, "message" | "details">;
export type Pipeline<K extends JobKind> = (ctx: JobContext<K>) => Promise<Done>;

export interface KindRule {
  /** Jobs of this kind running at once; more wait for a turn (`waiting`). Unlimited when absent. */
  atOnce?: number;
  /** Jobs of this kind that may wait at most; more are refused. */
  waitingMax?: number;
  /** One running job per target: a second is refused (`conflict:job`). */
  onePerTarget?: boolean;
}

export interface RegistryOptions {
  rules?: Partial<Record<JobKind, KindRule>>;
  /** How long a job that did not fail stays listed. */
  keepMs: number;
  now?: () => number;
}

interface Entry {
  job: Job;
  abort: AbortController;
  /** Starts a waiting job. */
  go?: () => void;
  /** Why Cancel is refused once the job is final. */
  tooLate?: string;
  /** Resolves once the job has ended (its pipeline's clean-up included). */
  settled: Promise<void>;
  ended?: () => void;
}

export interface StartOptions {
  /** What the job works with (kept in `job.about`). */
  about?: Record<string, string>;
  /** Its pieces and progress as planned, shown while it waits for its turn (a Sync's versions). */
  parts?: JobPart[];
  progress?: JobProgress;
}

const CANCELLED = "Cancelled.";

/** A pipeline's failure with what it found (a damaged file's problems, say), kept in the outcome. */
export class JobFailure extends AppError {
  constructor(
    code: ConstructorParameters<typeof AppError>[0],
    message: string,
    readonly details: NonNullable<JobOutcome["details"]>,
  ) {
    super(code, message);
  }
}

export class JobRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(kind: JobKind) => void>();
  private readonly now: () => number;

  /** The jobs `recover` found interrupted (their pipelines' modules undo what they left). */
  interrupted: Job[] = [];

  constructor(
    private readonly journal: Journal,
    private readonly options: RegistryOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Jobs from the journal; those that were running when the process ended are `interrupted`, with
   * the kind's message from `interrupted` (what was left as it was).
   */
  recover(interrupted: Partial<Record<JobKind, string>> = {}): Job[] {
    const ended: Job[] = [];
    for (const job of this.journal.load()) {
      if (isRunning(job)) {
        delete job.waiting;
        this.end(job, { result: "interrupted", message: interrupted[job.kind] ?? "The dashboard stopped while this ran." });
        ended.push(job);
      }
      this.entries.set(job.id, { job, abort: new AbortController(), settled: Promise.resolve() });
    }
    if (ended.length) this.journal.compact(this.all());
    this.interrupted = ended.map((j) => structuredClone(j));
    return ended;
  }

  /** Calls `listener` with the job's kind whenever a job starts, moves, ends or is dismissed (callers throttle). */
  onChange(listener: (kind: JobKind) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every job still listed, newest first (copies). */
  list(kind?: JobKind): Job[] {
    this.forgetExpired();
    return this.all()
      .filter((j) => !kind || j.kind === kind)
      .map((j) => structuredClone(j))
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  get(id: string): Job | undefined {
    const job = this.entries.get(id)?.job;
    return job && structuredClone(job);
  }

  /** The newest job of `kind` on `target`, running or not. */
  latest(kind: JobKind, target: string): Job | undefined {
    return this.list(kind).find((j) => j.target === target);
  }

  /** Starts a job and returns it at once; the pipeline runs in the background. */
  start<K extends JobKind>(kind: K, target: string, first: JobPhases[K], pipeline: Pipeline<K>, options: StartOptions = {}): Job<K> {
    const rule: KindRule = this.options.rules?.[kind] ?? {};
    const running = this.all().filter((j) => j.kind === kind && isRunning(j));
    if (rule.onePerTarget && running.some((j) => j.target === target)) throw new AppError("conflict:job", `${JOB_LABELS[kind]} of ${target} is running already.`);
    const waiting = rule.atOnce !== undefined && running.filter((j) => !j.waiting).length >= rule.atOnce;
    if (waiting && running.filter((j) => j.waiting).length >= (rule.waitingMax ?? Infinity)) {
      throw new AppError("conflict:job", `${rule.waitingMax} ${JOB_LABELS[kind]} runs are waiting already; start this one when some have finished.`);
    }
    const job: Job<K> = {
      id: randomUUID(),
      kind,
      target,
      ...(options.about ? { about: options.about } : {}),
      ...(options.parts ? { parts: options.parts.map((p) => ({ ...p })) } : {}),
      ...(options.progress ? { progress: { ...options.progress } } : {}),
      phase: first,
      startedAt: new Date(this.now()).toISOString(),
      ...(waiting ? { waiting: true } : {}),
    };
    this.supersede(kind, target);
    let ended!: () => void;
    const entry: Entry = { job, abort: new AbortController(), settled: new Promise<void>((resolve) => (ended = resolve)) };
    entry.ended = ended;
    this.entries.set(job.id, entry);
    this.write(job);
    const turn = waiting ? new Promise<void>((resolve) => (entry.go = resolve)) : Promise.resolve();
    void turn.then(() => this.run(entry, pipeline as Pipeline<JobKind>));
    return structuredClone(job);
  }

  /** Resolves with the job once it has ended (at once when it has); undefined when there is no such job. */
  async settled(id: string): Promise<Job | undefined> {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    await entry.settled;
    return structuredClone(entry.job);
  }

  /**
   * Cancel: a running job is aborted (its pipeline ends it); a finished one is dismissed. Undefined
   * when there is no such job; refused (`conflict:job`) once the job is final.
   */
  cancelOrDismiss(id: string): "cancelling" | "dismissed" | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (isRunning(entry.job)) {
      if (entry.job.final) throw new AppError("conflict:job", entry.tooLate ?? "Too late to cancel.");
      entry.abort.abort(new AppError("failed:cancelled", CANCELLED));
      if (entry.job.waiting) this.finish(entry, { result: "cancelled", message: CANCELLED });
      return "cancelling";
    }
    this.entries.delete(id);
    this.journal.append({ job: entry.job, gone: true }, this.entries.size);
    this.changed(entry.job.kind);
    return "dismissed";
  }

  /** Aborts every running job (server shutdown) and waits up to `waitMs` for their clean-up. */
  async cancelAll(waitMs = 3000): Promise<void> {
    const running = [...this.entries.values()].filter((e) => isRunning(e.job));
    for (const e of running) e.abort.abort(new AppError("failed:cancelled", "The dashboard is stopping."));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(running.map((e) => e.settled)), new Promise((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
  }

  private async run(entry: Entry, pipeline: Pipeline<JobKind>): Promise<void> {
    const { job, abort } = entry;
    if (!isRunning(job)) return; // cancelled while waiting
    if (job.waiting) {
      delete job.waiting;
      this.write(job);
    }
    const ctx: JobContext<JobKind> = {
      signal: abort.signal,
      job,
      phase: (phase) => {
        if (!isRunning(job) || job.phase === phase) return;
        job.phase = phase;
        this.write(job);
      },
      progress: (progress) => {
        if (!isRunning(job)) return;
        job.progress = progress;
        this.changed(job.kind);
      },
      record: (about) => {
        if (!isRunning(job)) return;
        job.about = { ...job.about, ...about };
        this.write(job);
      },
      parts: (parts) => {
        if (!isRunning(job)) return;
        job.parts = parts.map((p) => ({ ...p }));
        this.changed(job.kind);
      },
      final: (tooLate) => {
        if (abort.signal.aborted || !isRunning(job)) return false;
        job.final = true;
        entry.tooLate = tooLate;
        this.write(job);
        return true;
      },
    };
    try {
      const done = await pipeline(ctx);
      this.finish(entry, { result: "succeeded", ...done });
    } catch (err) {
      // Read by shape: a pipeline may throw from another bundle's copy of JobFailure (lib/runtime.ts).
      const details = (err as Partial<JobFailure> | undefined)?.details;
      // Cancelled means undone: a pipeline that could not undo what it made says so with a JobFailure.
      if (abort.signal.aborted && !details) {
        // The pipeline's own words when it says what was undone; else the reason Cancel gave.
        const said = toAppError(err).code === "failed:cancelled" ? toAppError(err).message : undefined;
        this.finish(entry, { result: "cancelled", message: said ?? (abort.signal.reason instanceof Error ? abort.signal.reason.message : CANCELLED) });
      } else {
        const e = toAppError(err);
        this.finish(entry, { result: "failed", message: e.message, code: e.code, ...(details ? { details } : {}) });
      }
    }
  }

  private finish(entry: Entry, outcome: JobOutcome): void {
    if (!isRunning(entry.job)) return;
    const wasWaiting = entry.job.waiting;
    this.end(entry.job, outcome);
    this.write(entry.job);
    entry.ended?.();
    if (!wasWaiting) this.nextTurn(entry.job.kind);
  }

  private end(job: Job, outcome: JobOutcome): void {
    job.outcome = outcome;
    job.finishedAt = new Date(this.now()).toISOString();
  }

  /** A new job on a target replaces the finished ones of its kind there (a retry replaces the failure it retries). */
  private supersede(kind: JobKind, target: string): void {
    for (const [id, { job }] of this.entries) {
      if (job.kind !== kind || job.target !== target || isRunning(job)) continue;
      this.entries.delete(id);
      this.journal.append({ job, gone: true }, this.entries.size);
    }
  }

  /** A running job of `kind` ended: the oldest waiting one goes. */
  private nextTurn(kind: JobKind): void {
    const next = this.all()
      .filter((j) => j.kind === kind && j.waiting && isRunning(j))
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt))[0];
    if (next) this.entries.get(next.id)?.go?.();
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [id, { job }] of this.entries) {
      if (isRunning(job) || needsDismissal(job)) continue;
      if (now - Date.parse(job.finishedAt!) > this.options.keepMs) this.entries.delete(id);
    }
  }

  private all(): Job[] {
    return [...this.entries.values()].map((e) => e.job);
  }

  private write(job: Job): void {
    this.journal.append({ job }, this.entries.size);
    if (this.journal.bloated) this.journal.compact(this.all());
    this.changed(job.kind);
  }

  private changed(kind: JobKind): void {
    for (const l of this.listeners) l(kind);
  }
}
