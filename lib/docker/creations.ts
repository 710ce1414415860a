import "server-only";
import { audit } from "@/lib/audit";
import { getFlavor } from "@/lib/config";
import { jobs, type JobContext } from "@/lib/jobs";
import { JobFailure } from "@/lib/jobs/registry";
import { creationView, type CreateEvent, type CreationJob, type CreationStep, type HostContainer } from "@/lib/shared/containers";
import { AppError, toAppError } from "@/lib/shared/errors";
import { isRunning, type Job, type JobPhases } from "@/lib/shared/jobs";
import { docker } from "./client";
import { getHostContainer } from "./containers";
import { createEnvironmentContainer, type CreationControl } from "./create-container";

/**
 * Create New Container ("create") and New container from this version ("restore") as jobs of the
 * one registry (lib/jobs): pull or load, create and start run in the server process, so closing
 * the modal or reloading the page leaves them running, every open page sees them (/live), and
 * Cancel stops them — until the container is made, from then on it is a Delete. One per
 * environment name; a failure stays listed until dismissed. The outcome, with Docker's own reason
 * when it failed, goes to the audit log.
 */
type CreationKind = "create" | "restore";
const KINDS: CreationKind[] = ["create", "restore"];
const TOO_LATE = "Too late to cancel: the container is made; delete it instead.";

/**
 * Where a restore's image comes from: `prepare` makes it present (loads the version, reporting
 * progress as pull events) and returns its reference; `finished` runs when the creation ends, made or not.
 */
export interface CreationSource {
  file: string;
  prepare: (emit: (event: CreateEvent) => void, signal: AbortSignal) => Promise<string>;
  finished?: (made: boolean) => Promise<unknown>;
}

const creationJobs = (): Job<CreationKind>[] => KINDS.flatMap((k) => jobs().list(k) as Job<CreationKind>[]);
const runningFor = (env: string) => creationJobs().find((j) => j.target === env && isRunning(j));

/** Running and listed creations (failures until dismissed), newest first, in the shape of `GET /api/creations`. */
export function listCreations(): CreationJob[] {
  return creationJobs()
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
    .map(creationView);
}

/**
 * Starts creating the environment `input.name` from `input.image` (already validated), or from a
 * version with `from`, and returns at once. Refuses a second creation of the same name while one runs.
 */
export function startCreation(input: { image: string; name: string }, caller: string, from?: CreationSource): CreationJob {
  if (runningFor(input.name)) throw new AppError("conflict:container", `${input.name} is already being created.`);
  const container = getFlavor().containerName(input.name);
  const about = { container, image: input.image, ...(from ? { file: from.file } : {}) };
  const job = from
    ? jobs().start("restore", input.name, "loading", (ctx) => runCreation(ctx, input, caller, from), { about })
    : jobs().start("create", input.name, "pulling", (ctx) => runCreation(ctx, input, caller), { about });
  return creationView(job);
}

const STEPS: { [K in CreationKind]: readonly CreationStep[] } = { create: ["pulling", "creating", "starting"], restore: ["loading", "creating", "starting"] };

/** The pipeline: the source's image, then the container; its steps and layers go to the job. */
async function runCreation<K extends CreationKind>(ctx: JobContext<K>, input: { image: string; name: string }, caller: string, from?: CreationSource): Promise<{ message: string; details: Record<string, string> }> {
  const emit = (event: CreateEvent) => {
    if (event.type === "status" && STEPS[ctx.job.kind].includes(event.step)) ctx.phase(event.step as JobPhases[K]);
    if (event.type === "pull") {
      ctx.parts(event.layers.map((l) => ({ name: l.id, state: l.status, done: l.current, total: l.total })));
      ctx.progress({ done: sum(event.layers, "current"), total: sum(event.layers, "total") || undefined, unit: "bytes" });
    }
  };
  const control: CreationControl = { signal: ctx.signal, commit: () => ctx.final(TOO_LATE), made: (id) => ctx.record({ containerId: id }) };
  const target = `${input.name} from ${from?.file ?? input.image}`;
  let made: HostContainer | undefined;
  try {
    const image = from ? await from.prepare(emit, ctx.signal) : input.image;
    made = await createEnvironmentContainer({ ...input, image }, emit, control);
  } catch (err) {
    const e = toAppError(err);
    await from?.finished?.(false).catch(logCleanUp);
    audit({ session: caller, action: "container.create.result", target, result: "error", detail: e.message });
    // Cancelled means undone; a cancelled creation that could not remove what it made is a failure.
    if (ctx.signal.aborted && e.code !== "failed:cancelled") throw new JobFailure(e.code, e.message, {});
    throw ctx.signal.aborted ? new AppError("failed:cancelled", `Creating ${getFlavor().containerName(input.name)} was cancelled; nothing was left behind.`) : e;
  }
  await from?.finished?.(true).catch(logCleanUp);
  audit({ session: caller, action: "container.create.result", target, result: "ok" });
  return { message: `Created and started ${made.name}.`, details: { container: made.name, containerId: made.id } };
}

const sum = (layers: { current?: number; total?: number }[], key: "current" | "total") => layers.reduce((n, l) => n + (l[key] ?? 0), 0);
const logCleanUp = (err: unknown) => console.error("[hakuriver] clean-up after a creation failed:", err);

/**
 * Follows the running (or latest) creation of `env` from now on until it ends, as the events of
 * `POST /api/containers`' stream; resolves with the container, if made.
 */
export function followCreation(env: string, listener: (event: CreateEvent) => void): Promise<HostContainer | undefined> {
  const first = runningFor(env) ?? creationJobs().find((j) => j.target === env);
  if (!first) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    let phase: string | undefined = first.phase;
    let parts = JSON.stringify(first.parts ?? []);
    let ended = false;
    const look = () => {
      const job = jobs().get(first.id) as Job<CreationKind> | undefined;
      if (ended) return;
      if (job && job.phase !== phase) {
        phase = job.phase;
        listener({ type: "status", step: job.phase, message: creationView(job).status });
      }
      if (job && JSON.stringify(job.parts ?? []) !== parts) {
        parts = JSON.stringify(job.parts ?? []);
        listener({ type: "pull", layers: creationView(job).layers });
      }
      if (job && isRunning(job)) return;
      ended = true;
      off();
      void lastEvent(job, listener).then(resolve);
    };
    const off = jobs().onChange(look);
    // Where it stands now, first: a follower that joins mid-way sees the current step at once.
    listener({ type: "status", step: first.phase, message: creationView(first).status });
    look();
  });
}

/** The stream's last event: the container made, or why not. */
async function lastEvent(job: Job<CreationKind> | undefined, listener: (event: CreateEvent) => void): Promise<HostContainer | undefined> {
  const outcome = job?.outcome;
  const id = outcome?.details?.containerId;
  if (outcome?.result === "succeeded" && typeof id === "string") {
    const container = await getHostContainer(id).catch(() => undefined);
    if (container) {
      listener({ type: "done", container });
      return container;
    }
  }
  const code = outcome?.result === "cancelled" ? "failed:cancelled" : (outcome?.code ?? "failed:internal");
  listener({ type: "error", error: outcome?.message ?? "The creation was dismissed.", code });
  return undefined;
}

const CANCEL_WAIT_MS = 15_000;

/**
 * Cancels a running creation and waits for it to stop, answering what really happened: cancelled
 * with nothing left, or the failure that left something. Refused (409) once the container is made
 * and 404 when no creation of `env` runs.
 */
export async function cancelCreation(env: string): Promise<string> {
  const job = runningFor(env) ?? creationJobs().find((j) => j.target === env);
  // Made and kept (final) is a Delete from now on, whether or not the job has finished yet.
  if (job?.final) throw new AppError("conflict:container", TOO_LATE);
  if (!job || !isRunning(job)) throw new AppError("not_found:container", `No creation of ${env} is running.`);
  jobs().cancelOrDismiss(job.id);
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([jobs().settled(job.id), new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), CANCEL_WAIT_MS)))]);
  clearTimeout(timer);
  // It will not be kept either way (it cannot commit any more); only the engine is slow to answer.
  if (!ended) return `Cancelling the creation of ${env}: it will not be kept; the engine is still removing what it made, and the creation says when it is done.`;
  if (ended.outcome?.result === "failed") throw new AppError((ended.outcome.code ?? "failed:docker") as AppError["code"], ended.outcome.message);
  return `Cancelled the creation of ${env}; nothing was left behind.`;
}

/**
 * After a crash: a creation the registry found interrupted before its container was kept leaves
 * nothing behind — the container it had made (by the ID it recorded) is removed.
 */
export async function undoInterruptedCreation(job: Job): Promise<void> {
  const id = job.about?.containerId;
  if (!KINDS.includes(job.kind as CreationKind) || job.final || !id) return;
  await docker()
    .getContainer(id)
    .remove({ force: true })
    .catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) console.error(`[hakuriver] could not remove ${job.about?.container} left by an interrupted creation:`, err);
    });
}
