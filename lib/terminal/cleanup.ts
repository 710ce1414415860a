import "server-only";
import { processWide } from "@/lib/runtime";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { getConfig } from "@/lib/config";
import { type MarkerPass, type PassResult, runningManagedContainers, signalMarkedProcesses } from "@/lib/docker/exec";

/**
 * Ending shells: Docker never ends an exec when its stream closes, and has no API to kill one. So
 * every shell carries an environment marker `<instance>.<boot>.<shell id>`, and closing a shell
 * runs a second exec, as the shell's own user, that signals (HUP, then KILL) every process in the
 * container carrying that marker and every process in the sessions they lead: the shell and
 * whatever it started (lib/docker/exec.ts says why that exec trusts nothing in the container).
 * Closes that arrive together share one scan per container and user.
 *
 * `instance` is this dashboard's own id (kept in the data dir) and `boot` changes on every start,
 * so the start-up sweep ends only what an earlier run of this dashboard left behind — never
 * another dashboard's shells on the same engine, nor shells this run already opened.
 */
export const MARKER_VAR = "HAKURIVER_SHELL_SESSION";
const INSTANCE_FILE = "instance-id";
const INSTANCE_ID = /^[a-f0-9]{16,64}$/;

/** This dashboard's id, created once in the data dir. */
export function instanceId(): string {
  const state = shellState();
  if (state.instance) return state.instance;
  const dir = getConfig().dataDir;
  const file = path.join(/*turbopackIgnore: true*/ dir, INSTANCE_FILE);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, `${randomBytes(12).toString("hex")}\n`, { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const id = fs.readFileSync(file, "utf8").trim();
  if (!INSTANCE_ID.test(id)) throw new Error(`${file} does not hold an instance id (16-64 hex digits); delete it to make a new one.`);
  return (state.instance = id);
}

/** Process-wide (lib/runtime.ts): server.ts and Next's bundles may each load this module. */
function shellState(): { instance?: string; boot: string; openIn: Map<string, number>; leftIn?: Set<string> } {
  return processWide("shells", () => ({ boot: randomBytes(6).toString("hex"), openIn: new Map<string, number>() }));
}

/**
 * Containers this dashboard has shells in, kept in the data dir so that the start-up sweep also
 * reaches containers that are not managed (the Shell button works in any running container).
 */
function journalFile(): string {
  return path.join(/*turbopackIgnore: true*/ getConfig().dataDir, "shell-containers.json");
}

function leftoverContainers(): Set<string> {
  const state = shellState();
  if (!state.leftIn) {
    try {
      const list = JSON.parse(fs.readFileSync(journalFile(), "utf8")) as unknown;
      state.leftIn = new Set(Array.isArray(list) ? list.filter((id): id is string => typeof id === "string" && /^[a-f0-9]{12,64}$/.test(id)) : []);
    } catch {
      state.leftIn = new Set();
    }
  }
  return state.leftIn;
}

function writeJournal(): void {
  const state = shellState();
  const ids = [...new Set([...leftoverContainers(), ...state.openIn.keys()])];
  try {
    const tmp = `${journalFile()}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(ids), { mode: 0o600 });
    fs.renameSync(tmp, journalFile());
  } catch (err) {
    console.error("[hakuriver] could not write the shell journal:", (err as Error).message);
  }
}

export function noteShell(containerId: string, delta: 1 | -1): void {
  const open = shellState().openIn;
  const n = (open.get(containerId) ?? 0) + delta;
  if (n > 0) open.set(containerId, n);
  else open.delete(containerId);
  writeJournal();
}

export function markerOf(shellId: string): string {
  return `${instanceId()}.${shellState().boot}.${shellId}`;
}

/** Ends the shells carrying these markers; closes that arrive together share one clean-up. */
export async function endShells(container: string, user: string | undefined, marker: string): Promise<void> {
  const key = JSON.stringify([container, user ?? null]);
  let queue = cleanUps.get(key);
  if (!queue) cleanUps.set(key, (queue = { running: false }));
  if (!queue.next) {
    queue.next = { markers: new Set(), waiters: [] };
    if (!queue.running) {
      queue.running = true;
      setTimeout(() => void drain(key, container, user), GATHER_CLOSES_MS);
    }
  }
  queue.next.markers.add(marker);
  const batch = queue.next;
  await new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
}

interface CleanUpBatch {
  markers: Set<string>;
  waiters: { resolve: () => void; reject: (err: unknown) => void }[];
}
const cleanUps = processWide("shells.cleanUps", () => new Map<string, { running: boolean; next?: CleanUpBatch }>());
/** Closes within this window (and during a running clean-up) are handled in one scan. */
const GATHER_CLOSES_MS = 10;
/** Between HUP (a chance to exit cleanly) and KILL. */
const GRACE_MS = 500;

async function drain(key: string, container: string, user: string | undefined): Promise<void> {
  const queue = cleanUps.get(key)!;
  for (let batch = queue.next; batch; batch = queue.next) {
    queue.next = undefined;
    try {
      await endMarked(container, user, { values: [...batch.markers] });
      for (const w of batch.waiters) w.resolve();
    } catch (err) {
      for (const w of batch.waiters) w.reject(err);
    }
  }
  queue.running = false;
  cleanUps.delete(key);
}

type MarkerMatch = Pick<MarkerPass, "values" | "prefix" | "exceptPrefix">;

/** HUP every marked process and its session, then KILL what is left after a grace period. */
async function endMarked(container: string, user: string | undefined, match: MarkerMatch, hup?: PassResult): Promise<number> {
  const pass = { variable: MARKER_VAR, ...match };
  const first = hup ?? (await signalMarkedProcesses(container, user, { ...pass, signal: "HUP" }));
  if (first.found === 0) return 0;
  await new Promise((r) => setTimeout(r, GRACE_MS));
  await signalMarkedProcesses(container, user, { ...pass, signal: "KILL", sessions: first.sessions });
  return first.found;
}

/**
 * At start-up: ends the shells an earlier run of this dashboard left running (a crash, kill -9),
 * in the managed containers and the containers the journal says had shells. Only this
 * instance's markers from earlier runs: other dashboards on the engine keep their shells. Runs as
 * root first, then as each other uid:gid whose processes root could not inspect (4 containers at
 * a time). `instance` is for tests.
 */
export async function sweepLeftoverShells(options: { instance?: string } = {}): Promise<number> {
  const instance = options.instance ?? instanceId();
  const journaled = [...leftoverContainers()];
  const managed = await runningManagedContainers();
  const queue = [...new Set([...managed, ...journaled])];
  const containers = queue.length;
  let ended = 0;
  const worker = async () => {
    for (let id = queue.shift(); id; id = queue.shift()) {
      ended += await sweepContainer(id, instance).catch(() => 0);
      leftoverContainers().delete(id);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  writeJournal();
  console.log(`[hakuriver] shell sweep: ${ended} process(es) left by an earlier run ended in ${containers} container(s)`);
  return ended;
}

const MAX_SWEEP_USERS = 16;

async function sweepContainer(id: string, instance: string): Promise<number> {
  const match = { prefix: `${instance}.`, exceptPrefix: `${instance}.${shellState().boot}.` };
  const root = await signalMarkedProcesses(id, "0:0", { variable: MARKER_VAR, ...match, signal: "HUP", reportUnreadable: true });
  let ended = await endMarked(id, "0:0", match, root);
  // Bounded: a hostile container could run processes under thousands of uids.
  for (const user of root.unreadable.filter((u) => u !== "0:0").slice(0, MAX_SWEEP_USERS)) ended += await endMarked(id, user, match).catch(() => 0);
  return ended;
}
