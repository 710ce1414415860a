import "server-only";
import { randomUUID } from "node:crypto";
import { audit } from "@/lib/audit";
import { getFlavor } from "@/lib/config";
import { processSignal, processWide } from "@/lib/runtime";
import { creationActive, type CreateEvent, type CreationJob, type HostContainer } from "@/lib/shared/containers";
import { AppError, toAppError } from "@/lib/shared/errors";
import { createEnvironmentContainer } from "./containers";

/**
 * Create New Container as a job: pull + create + start run in the server process, so closing the
 * modal or reloading the page leaves them running, every open page sees them (lib/live), and
 * Cancel stops them. Several run at once; one per environment name. The outcome, with Docker's
 * own reason when it failed, goes to the audit log.
 */
interface Entry {
  job: CreationJob;
  abort: AbortController;
  /** Set, synchronously, once the container is made and kept: Cancel is refused from then on. */
  committed: boolean;
  /** Why it failed, when it did (a Cancel answers with it). */
  failure?: AppError;
  done: Promise<HostContainer | undefined>;
  listeners: Set<(event: CreateEvent) => void>;
}

const KEEP_FINISHED_MS = 2 * 60_000;
const registry = () => processWide("creations", () => new Map<string, Entry>());
const creationsChanged = processSignal("creations");

/** Calls `listener` on every change of any creation (callers throttle). */
export const onCreationsChanged = (listener: () => void) => creationsChanged.on(listener);
const changed = () => creationsChanged.emit();

/** Running and recently finished creations, newest first. */
export function listCreations(): CreationJob[] {
  const now = Date.now();
  for (const [env, { job }] of registry()) {
    if (!creationActive(job) && job.finishedAt && now - Date.parse(job.finishedAt) > KEEP_FINISHED_MS) registry().delete(env);
  }
  return [...registry().values()].map((e) => ({ ...e.job, layers: e.job.layers.map((l) => ({ ...l })) })).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/**
 * Where a creation's image comes from when it is not pulled: `prepare` makes it present (e.g. loads
 * a tarball, reporting progress as pull events) and returns its reference; `finished` runs when the
 * creation ends, made or not.
 */
export interface CreationSource {
  prepare: (emit: (event: CreateEvent) => void, signal: AbortSignal) => Promise<string>;
  finished?: (made: boolean) => Promise<unknown>;
}

/**
 * Starts creating the environment `input.name` from `input.image` (already validated) and returns
 * at once. Refuses a second creation of the same name while one runs.
 */
export function startCreation(input: { image: string; name: string }, caller: string, from?: CreationSource): CreationJob {
  const current = registry().get(input.name);
  if (current && creationActive(current.job)) throw new AppError("conflict:container", `${input.name} is already being created.`);
  const job: CreationJob = {
    id: randomUUID(),
    env: input.name,
    container: getFlavor().containerName(input.name),
    image: input.image,
    phase: "pulling",
    status: "Contacting the Docker engine…",
    layers: [],
    startedAt: new Date().toISOString(),
  };
  const entry: Entry = { job, abort: new AbortController(), committed: false, done: Promise.resolve(undefined), listeners: new Set() };
  const emit = (event: CreateEvent) => {
    if (event.type === "status") {
      job.status = event.message;
      if (/^Creating|^Starting/.test(event.message)) job.phase = "creating";
    } else if (event.type === "pull") {
      job.layers = event.layers;
    }
    for (const l of entry.listeners) l(event);
    changed();
  };
  const signal = entry.abort.signal;
  // The one place a creation becomes final; see CreationControl.
  const control = { signal, commit: () => !signal.aborted && (entry.committed = true) };
  const made = from
    ? from.prepare(emit, signal).then((image) => createEnvironmentContainer({ ...input, image }, emit, control))
    : createEnvironmentContainer(input, emit, control);
  entry.done = made.then(
    (container) => finish(entry, { container }, `${input.name} from ${input.image}`, caller, emit, from),
    (err: unknown) => finish(entry, { err }, `${input.name} from ${input.image}`, caller, emit, from),
  );
  registry().set(input.name, entry);
  changed();
  return { ...job };
}

/**
 * Ends a creation: runs the source's clean-up first (so "Cancelled" is only shown once it is done),
 * then records the outcome in the job, the audit log and the events.
 */
async function finish(
  entry: Entry,
  outcome: { container: HostContainer } | { err: unknown },
  target: string,
  caller: string,
  emit: (event: CreateEvent) => void,
  from: CreationSource | undefined,
): Promise<HostContainer | undefined> {
  const { job } = entry;
  await from?.finished?.("container" in outcome).catch((err: unknown) => console.error("[hakuriver] clean-up after a creation failed:", err));
  if ("container" in outcome) {
    Object.assign(job, { phase: "done", status: `Created and started ${outcome.container.name}.`, finishedAt: new Date().toISOString() });
    audit({ session: caller, action: "container.create.result", target, result: "ok" });
    emit({ type: "done", container: outcome.container });
    return outcome.container;
  }
  const e = toAppError(outcome.err);
  // Cancelled means undone; a cancelled creation that could not remove what it made is a failure.
  const cancelled = entry.abort.signal.aborted && e.code === "failed:cancelled";
  if (!cancelled) entry.failure = e;
  Object.assign(job, { phase: cancelled ? "cancelled" : "failed", error: cancelled ? undefined : e.message, status: cancelled ? "Cancelled." : e.message, finishedAt: new Date().toISOString() });
  audit({ session: caller, action: "container.create.result", target, result: "error", detail: e.message });
  emit({ type: "error", error: cancelled ? `Creating ${job.container} was cancelled; nothing was left behind.` : e.message, code: cancelled ? "failed:cancelled" : e.code });
  return undefined;
}

/** Follows a creation's events from now on until it ends; resolves with the container, if made. */
export function followCreation(env: string, listener: (event: CreateEvent) => void): Promise<HostContainer | undefined> {
  const entry = registry().get(env);
  if (!entry) return Promise.resolve(undefined);
  entry.listeners.add(listener);
  return entry.done.finally(() => entry.listeners.delete(listener));
}

const CANCEL_WAIT_MS = 15_000;

/**
 * Cancels a running creation and waits for it to stop, answering what really happened: cancelled
 * with nothing left, or the failure that left something. Refused (409) once the container is made
 * — from then on it is a Delete — and 404 when no creation of `env` runs.
 */
export async function cancelCreation(env: string): Promise<string> {
  const entry = registry().get(env);
  if (entry?.committed) throw new AppError("conflict:container", "Too late to cancel: the container is made; delete it instead.");
  if (!entry || !creationActive(entry.job)) throw new AppError("not_found:container", `No creation of ${env} is running.`);
  entry.abort.abort();
  let timer: NodeJS.Timeout | undefined;
  const stopped = await Promise.race([entry.done.then(() => true), new Promise<false>((r) => (timer = setTimeout(r, CANCEL_WAIT_MS, false)))]);
  clearTimeout(timer);
  // It will not be kept either way (it cannot commit any more); only the engine is slow to answer.
  if (!stopped) return `Cancelling the creation of ${env}: it will not be kept; the engine is still removing what it made, and the creation says when it is done.`;
  if (entry.failure) throw entry.failure;
  return `Cancelled the creation of ${env}; nothing was left behind.`;
}
