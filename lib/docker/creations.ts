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
 * Cancel aborts the pull. Several run at once; one per environment name. The outcome, with
 * Docker's own reason when it failed, goes to the audit log.
 */
interface Entry {
  job: CreationJob;
  abort: AbortController;
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
  const abort = new AbortController();
  const listeners = new Set<(event: CreateEvent) => void>();
  const emit = (event: CreateEvent) => {
    if (event.type === "status") {
      job.status = event.message;
      if (/^Creating|^Starting/.test(event.message)) job.phase = "creating";
    } else if (event.type === "pull") {
      job.layers = event.layers;
    }
    for (const l of listeners) l(event);
    changed();
  };
  const target = `${input.name} from ${input.image}`;
  const made = from
    ? from.prepare(emit, abort.signal).then((image) => createEnvironmentContainer({ ...input, image }, emit, abort.signal))
    : createEnvironmentContainer(input, emit, abort.signal);
  const done = made.then(
    (container) => {
      Object.assign(job, { phase: "done", status: `Created and started ${container.name}.`, finishedAt: new Date().toISOString() });
      audit({ session: caller, action: "container.create.result", target, result: "ok" });
      void from?.finished?.(true);
      emit({ type: "done", container });
      return container;
    },
    (err: unknown) => {
      const e = toAppError(err);
      const cancelled = abort.signal.aborted;
      Object.assign(job, { phase: cancelled ? "cancelled" : "failed", error: cancelled ? undefined : e.message, status: cancelled ? "Cancelled." : e.message, finishedAt: new Date().toISOString() });
      audit({ session: caller, action: "container.create.result", target, result: "error", detail: e.message });
      void from?.finished?.(false);
      emit({ type: "error", error: cancelled ? `Creating ${job.container} was cancelled; nothing was left behind.` : e.message, code: cancelled ? "failed:cancelled" : e.code });
      return undefined;
    },
  );
  const entry: Entry = { job, abort, done, listeners };
  registry().set(input.name, entry);
  changed();
  return { ...job };
}

/** Follows a creation's events from now on until it ends; resolves with the container, if made. */
export function followCreation(env: string, listener: (event: CreateEvent) => void): Promise<HostContainer | undefined> {
  const entry = registry().get(env);
  if (!entry) return Promise.resolve(undefined);
  entry.listeners.add(listener);
  return entry.done.finally(() => entry.listeners.delete(listener));
}

/** Cancels a running creation (aborts its pull); false when none runs. */
export function cancelCreation(env: string): boolean {
  const entry = registry().get(env);
  if (!entry || !creationActive(entry.job)) return false;
  entry.abort.abort();
  return true;
}
