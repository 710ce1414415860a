import type { ContainerState, HostContainer } from "./containers";

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

export function canResume(state: ContainerState): boolean {
  return state === "paused";
}

export function canShell(state: ContainerState): boolean {
  return state === "running";
}

/** Docker's duration words ("Less than a second", "About an hour", "5 minutes") in plain words. */
export function plainDuration(docker: string): string {
  const d = docker.trim();
  if (/^less than a second$/i.test(d)) return "under a second";
  if (/^about a minute$/i.test(d)) return "1 minute";
  if (/^about an hour$/i.test(d)) return "1 hour";
  return d.replace(/^About /i, "about ");
}

/** Exit codes of a process ended by SIGTERM (128+15) or SIGKILL (128+9): what Docker's stop does. */
const STOP_SIGNAL_CODES = new Set([143, 137]);

/** What the Status cell shows: the tag, a plain line under it, and the exact wording on hover. */
export interface StatusDescription extends StatusView {
  /** "for 5 minutes", "2 hours ago", "exit code 1, 5 seconds ago". */
  detail?: string;
  /** Shown on hover and focus: the exit code and what it means, and Docker's own status text. */
  title?: string;
  /** The container ended on its own with a failure (not through the dashboard's Stop). */
  warning: boolean;
}

/**
 * Docker's status text rewritten for people. "Exited (143) 2 hours ago" after the dashboard's own
 * Stop reads "Stopped · 2 hours ago", since 143 (SIGTERM) and 137 (SIGKILL after the grace period)
 * are what a Stop does; any other non-zero code, or those codes without our Stop, is a warning.
 */
/** Create Tar holds the container paused while Docker commits its files (and resumes it by itself). */
export const heldForCommit = (state: ContainerState, packagePhase: string | undefined): boolean => state === "paused" && packagePhase === "committing";

export function describeStatus(c: Pick<HostContainer, "state" | "statusText" | "stoppedHere">, packagePhase?: string): StatusDescription {
  if (heldForCommit(c.state, packagePhase)) {
    return {
      label: "Packaging",
      tone: "amber",
      detail: "paused for the commit",
      title: "Create Tar pauses the container while Docker commits its files; it runs again by itself once the commit is done.",
      warning: false,
    };
  }
  const view = statusView(c.state);
  const text = c.statusText.trim();
  const raw = text ? `Docker: ${text}` : undefined;
  const up = /^Up (.+?)(?: \((?:Paused|healthy|unhealthy|health: starting)\))?$/i.exec(text);
  const exited = /^Exited \((-?\d+)\) (.+) ago$/i.exec(text);
  const restarting = /^Restarting \((-?\d+)\) (.+) ago$/i.exec(text);
  if ((c.state === "running" || c.state === "paused") && up) {
    const health = /\((healthy|unhealthy)\)$/i.exec(text)?.[1]?.toLowerCase();
    return { ...view, detail: `up ${plainDuration(up[1])}${health ? `, ${health}` : ""}`, title: raw, warning: health === "unhealthy" };
  }
  if (c.state === "exited" && exited) {
    const code = Number(exited[1]);
    const when = plainDuration(exited[2]);
    const ago = when === "under a second" ? "just now" : `${when} ago`;
    const byStop = STOP_SIGNAL_CODES.has(code) && !!c.stoppedHere;
    const warning = code !== 0 && !byStop;
    const meaning =
      code === 0
        ? "the command ended normally"
        : byStop
          ? `${code === 143 ? "SIGTERM" : "SIGKILL after the grace period"}, from the dashboard's Stop`
          : STOP_SIGNAL_CODES.has(code)
            ? `ended by ${code === 143 ? "SIGTERM" : "SIGKILL (or out of memory)"} from outside the dashboard`
            : "the command failed";
    return {
      ...view,
      tone: warning ? "amber" : view.tone,
      detail: warning ? `exit code ${code}, ${ago}` : ago,
      title: `Exit code ${code}: ${meaning}. ${raw}`,
      warning,
    };
  }
  if (c.state === "restarting" && restarting) {
    return { ...view, detail: `exit code ${restarting[1]}, ${plainDuration(restarting[2])} ago`, title: raw, warning: true };
  }
  return { ...view, title: raw, warning: c.state === "dead" };
}
