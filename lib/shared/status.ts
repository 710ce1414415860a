import type { ContainerState } from "./containers";

/**
 * How each Docker state is shown and what may be done in it. Pure, shared by server and client.
 * Tones follow the seed: Running green, Stopped/Created blue-grey; the rest are told apart by text.
 */
export type StatusTone = "green" | "slate" | "blue" | "amber" | "red" | "gray";

export interface StatusView {
  label: string;
  tone: StatusTone;
}

const views: Record<ContainerState, StatusView> = {
  running: { label: "Running", tone: "green" },
  exited: { label: "Stopped", tone: "slate" },
  created: { label: "Created", tone: "blue" },
  paused: { label: "Paused", tone: "amber" },
  restarting: { label: "Restarting", tone: "amber" },
  removing: { label: "Removing", tone: "gray" },
  dead: { label: "Dead", tone: "red" },
};

const knownStates = new Set(Object.keys(views));

/** Narrows Docker's State string; anything unknown is treated as dead rather than hidden. */
export function toContainerState(state: string | undefined): ContainerState {
  const s = (state ?? "").toLowerCase();
  return knownStates.has(s) ? (s as ContainerState) : "dead";
}

export function statusView(state: ContainerState): StatusView {
  return views[state];
}

export function canStart(state: ContainerState): boolean {
  return state === "exited" || state === "created";
}

export function canStop(state: ContainerState): boolean {
  return state === "running" || state === "restarting" || state === "paused";
}

export function canShell(state: ContainerState): boolean {
  return state === "running";
}
