import type { ErrorCode } from "./errors";
import { jobWords, type Job } from "./jobs";
import { pageOf } from "./paging";

/** Docker's container states (`State` in the Engine API). */
export type ContainerState = "created" | "running" | "paused" | "restarting" | "removing" | "exited" | "dead";

/** One row of the Host Containers table. */
export interface HostContainer {
  id: string;
  name: string;
  image: string;
  state: ContainerState;
  /** Docker's own wording, e.g. "Up 5 minutes" or "Exited (0) 2 hours ago". */
  statusText: string;
  /** ISO 8601. */
  createdAt: string;
  /** An environment container: this flavour's labels or name, or adopted. */
  managed: boolean;
  /** The environment it is packaged as, when it stands for one. */
  envName?: string;
  /** Adopted from outside the dashboard (listed in the data dir, not labelled). */
  adopted: boolean;
  /** Not managed, but its name could make it an environment: offer Adopt. */
  adoptable: boolean;
  /** Last stopped by the dashboard's Stop (this server's run): exit 143/137 then means a clean stop. */
  stoppedHere?: boolean;
}

/** Progress of one layer while an image is pulled, from Docker's pull stream. */
export interface LayerProgress {
  id: string;
  status: string;
  current?: number;
  total?: number;
}

/** A creation's steps (typed: the job's phase follows them, never the message). */
export type CreationStep = "pulling" | "loading" | "creating" | "starting";

/** What a container creation reports while it runs; the last event is `done` or `error`. */
export type CreateEvent =
  | { type: "status"; step: CreationStep; message: string }
  | { type: "pull"; layers: LayerProgress[] }
  | { type: "done"; container: HostContainer }
  | { type: "error"; error: string; code: string };

/** One page of the Host Containers table, as the server render and `GET /api/containers?page=` give it. */
export interface ContainersPage {
  containers: HostContainer[];
  total: number;
  page: number;
  pages: number;
  /** Set when the list could not be read; `code` says why (e.g. `unavailable:docker`). */
  error?: string;
  code?: ErrorCode;
}

/** What the URL asks for: all containers or the environment containers, a name filter, a page. */
export interface ContainersView {
  all: boolean;
  q: string;
  page: number;
}

/** The list's order: newest first, ties by name. The one rule for the engine's list and pushed changes. */
export function compareContainers(a: HostContainer, b: HostContainer): number {
  return b.createdAt < a.createdAt ? -1 : b.createdAt > a.createdAt ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * What the live feed pushes after the first full list (`containers`): the rows that are new or
 * changed and the IDs that left (`containers:changed`). A burst of 1,000 changes costs a page what
 * changed, not 1,000 full lists.
 */
export interface ContainerChanges {
  upsert: HostContainer[];
  remove: string[];
}

/** Applies pushed changes to a list held by ID; returns the list in table order. */
export function applyContainerChanges(byId: Map<string, HostContainer>, changes: ContainerChanges): HostContainer[] {
  for (const id of changes.remove) byId.delete(id);
  for (const c of changes.upsert) byId.set(c.id, c);
  return [...byId.values()].sort(compareContainers);
}

/** One page of a container list as a view shows it: the one rule for the server render and live updates. */
export function viewOfContainers(list: HostContainer[], view: Partial<ContainersView>): ContainersPage {
  const { items, ...rest } = pageOf(view.all ? list : list.filter((c) => c.managed), view);
  return { containers: items, ...rest };
}

export type CreationPhase = "pulling" | "creating" | "done" | "failed" | "cancelled";

/** A Create New Container job: it runs on the server, outlives the modal and the page, and can be cancelled. */
export interface CreationJob {
  id: string;
  /** The environment name asked for. */
  env: string;
  /** The container it becomes (the flavour's name for it). */
  container: string;
  image: string;
  phase: CreationPhase;
  /** The latest step in words ("Pulling …", "Creating container …"). */
  status: string;
  layers: LayerProgress[];
  startedAt: string;
  finishedAt?: string;
  /** Docker's own reason when it failed. */
  error?: string;
}

export const creationActive = (job: Pick<CreationJob, "phase">): boolean => job.phase === "pulling" || job.phase === "creating";

/**
 * A Create New Container or New container from this version job (lib/jobs) as `GET /api/creations`
 * and the table's creation rows show it: the same words on the server and the page.
 */
export function creationView(job: Job<"create" | "restore">): CreationJob {
  const container = job.about?.container ?? job.target;
  const image = job.about?.image ?? "";
  const base = { id: job.id, env: job.target, container, image, startedAt: job.startedAt, ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}) };
  const layers: LayerProgress[] = (job.parts ?? []).map((p) => ({ id: p.name, status: p.state, current: p.done, total: p.total }));
  const outcome = job.outcome;
  if (!outcome) {
    const phase = job.phase === "pulling" || job.phase === "loading" ? "pulling" : "creating";
    return { ...base, phase, status: jobWords(job), layers };
  }
  if (outcome.result === "succeeded") return { ...base, phase: "done", status: outcome.message, layers };
  if (outcome.result === "cancelled") return { ...base, phase: "cancelled", status: outcome.message, layers };
  return { ...base, phase: "failed", status: outcome.message, error: outcome.message, layers };
}
