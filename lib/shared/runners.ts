/**
 * Runner engines as the dashboard sees them: how HAKURIVER_RUNNERS names them, the Runners' own
 * sync rule applied to one environment, and the shapes the Runners tab and API exchange. Pure, so
 * the configuration, the server and the browser share it.
 */
import type { Job } from "./jobs";

/** How the dashboard reaches a Runner's Docker engine (Docker's own remote API, no agent of ours). */
export type RunnerTransport = "unix" | "ssh" | "tcp";

export interface RunnerEndpoint {
  /** The Runner's name in the dashboard (and the folder of its keys in `<data dir>/runners/`). */
  name: string;
  /** As configured, e.g. `ssh://root@10.0.0.5:22`; never holds a secret. */
  url: string;
  transport: RunnerTransport;
  socketPath?: string;
  host?: string;
  port?: number;
  /** SSH user (default root). */
  user?: string;
}

export const RUNNER_NAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,62}$/;

function parseEndpoint(name: string, raw: string): RunnerEndpoint | string {
  const at = `Runner ${name} (${raw})`;
  if (raw.startsWith("unix://")) {
    const socketPath = raw.slice("unix://".length);
    if (!socketPath.startsWith("/")) return `${at}: a unix:// endpoint needs an absolute socket path (unix:///run/docker.sock)`;
    return { name, url: raw, transport: "unix", socketPath };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `${at}: not an endpoint (expected ssh://user@host[:port], tcp://host:2376 or unix:///path)`;
  }
  if (url.password) return `${at}: passwords do not belong in HAKURIVER_RUNNERS; put a key in <data dir>/runners/${name}/`;
  if ((url.pathname && url.pathname !== "/") || url.search || url.hash) return `${at}: no path or query is expected after the host`;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!host) return `${at}: no host`;
  if (url.protocol === "ssh:") {
    return { name, url: raw, transport: "ssh", host, port: url.port ? Number(url.port) : 22, user: decodeURIComponent(url.username) || "root" };
  }
  if (url.protocol === "tcp:") {
    // An engine's plain TCP port is root on that machine for anyone who can reach it: TLS only.
    if (!url.port) return `${at}: tcp:// needs a port (Docker's TLS port is 2376)`;
    if (url.username) return `${at}: tcp:// takes no user; it authenticates with a TLS client certificate`;
    return { name, url: raw, transport: "tcp", host, port: Number(url.port) };
  }
  return `${at}: unsupported scheme ${url.protocol} (use ssh://, tcp:// with TLS, or unix://)`;
}

/**
 * Parses HAKURIVER_RUNNERS: `name=endpoint` entries separated by commas, spaces or new lines, e.g.
 * `node1=ssh://root@10.0.0.5,node2=tcp://10.0.0.6:2376`. Returns every problem, not just the first.
 */
export function parseRunnerList(value: string): { runners: RunnerEndpoint[]; problems: string[] } {
  const runners: RunnerEndpoint[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const entry of value.split(/[\s,]+/).filter(Boolean)) {
    const eq = entry.indexOf("=");
    if (eq <= 0) {
      problems.push(`"${entry}" is not name=endpoint`);
      continue;
    }
    const name = entry.slice(0, eq);
    if (!RUNNER_NAME_PATTERN.test(name)) {
      problems.push(`Runner name "${name}" may use a–z, 0–9, '_', '.' and '-' (up to 63, starting with a letter or digit)`);
      continue;
    }
    if (seen.has(name)) {
      problems.push(`Runner ${name} is listed twice`);
      continue;
    }
    seen.add(name);
    const parsed = parseEndpoint(name, entry.slice(eq + 1));
    if (typeof parsed === "string") problems.push(parsed);
    else runners.push(parsed);
  }
  return { runners, problems };
}

/** Where an environment stands on one Runner, by the Runner's own rule. */
export type RunnerEnvState = "up_to_date" | "behind" | "missing" | "unknown";

export interface VersionRef {
  file: string;
  /** Unix seconds, from the file name. */
  timestamp: number;
}

export interface RunnerEnvStatus {
  env: string;
  state: RunnerEnvState;
  /** The newest version in shared storage (what the Runner's rule compares with). */
  newest: VersionRef;
  /** The Runner's local image `Created`, whole seconds; absent when it has no such image. */
  localCreated?: number;
  /** The newest version whose timestamp is not after the local image: the version the Runner holds. */
  matches?: string;
  /** Why the state is unknown. */
  reason?: string;
}

/**
 * The Runners' sync rule (HakuRiver's and KohakuRiver's `needs_sync`): a Runner loads the newest
 * file before its next task when it has no local image, or when the file's timestamp is later
 * than the image's `Created` second. `versions` is newest first.
 */
export function judgeEnvironment(env: string, versions: VersionRef[], localCreated: number | undefined): RunnerEnvStatus {
  const newest = versions[0];
  if (env !== env.toLowerCase()) {
    return { env, state: "unknown", newest, reason: "Runners look environments up in lowercase and never find this name." };
  }
  if (localCreated === undefined) return { env, state: "missing", newest };
  const matches = versions.find((v) => v.timestamp <= localCreated)?.file;
  return { env, state: newest.timestamp > localCreated ? "behind" : "up_to_date", newest, localCreated, matches };
}

/** What one Sync load was meant to give the Runner, and what its engine said and holds afterwards. */
export interface LoadCheck {
  /** The tag the Runners look for, `<flavour>/<env>:base`. */
  ref: string;
  /** The file's name timestamp (unix seconds). */
  timestamp: number;
  /** `Created` of the Runner's `ref` after the load, whole seconds; undefined when it has none. */
  created: number | undefined;
  /**
   * What the engine said it loaded, canonical (lib/shared/image-refs.ts): tags, or image IDs
   * (`sha256:…`) for untagged images; undefined when it said nothing usable.
   */
  loaded?: string[];
}

const when = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.000Z$/, "Z");

/**
 * Why a load did not leave the Runner up to date by its own rule, in words naming the real cause,
 * or undefined when it did. The file's tag is judged first (what the engine reported loading),
 * then the timestamp rule (`Created` ≥ the name's timestamp).
 */
export function loadProblem({ ref, timestamp, created, loaded }: LoadCheck): string | undefined {
  if (loaded && loaded.length > 0 && !loaded.includes(ref)) {
    const tags = loaded.filter((l) => !l.startsWith("sha256:"));
    return tags.length > 0
      ? `the file holds ${tags.join(", ")}, not ${ref}: the Runners look for ${ref} and never find it`
      : `the file's image has no tag: the engine loaded it as ${loaded[0].slice(0, 19)}…, and the Runners look for ${ref}`;
  }
  if (created === undefined) return `the engine loaded it, but holds no ${ref} afterwards`;
  if (created < timestamp) {
    return (
      `${ref} in the file was created at ${when(created)}, before the ${when(timestamp)} its name says: ` +
      `by the Runners' rule it stays behind and every Runner loads it again before every task ` +
      `(a version's name timestamp must not be later than its image's Created; make a new version with Create Tar)`
    );
  }
  return undefined;
}

export interface RunnerDisk {
  /** Bytes of this flavour's environment images on the Runner (as the engine counts them). */
  imagesSize: number;
  /** Free bytes for images, when the storage driver reports it (overlay2 does not). */
  free?: number;
}

export interface RunnerStatus {
  name: string;
  url: string;
  reachable: boolean;
  /** Why the Runner could not be asked (timeout, refused, key problem…). */
  reason?: string;
  version?: string;
  hostname?: string;
  disk?: RunnerDisk;
  environments: RunnerEnvStatus[];
  checkedAt: string;
  tookMs: number;
}

export type SyncItemState = "pending" | "loading" | "loaded" | "skipped" | "failed" | "cancelled";
export type SyncPhase = "queued" | "loading" | "done" | "failed" | "cancelled";

export interface SyncItem {
  env: string;
  file: string;
  size: number;
  state: SyncItemState;
  bytesSent: number;
  error?: string;
  /** With a registry configured: "pulled from <registry>", or why the tarball was loaded instead. */
  via?: string;
}

/** One Sync now of one Runner: its versions to load, in order, and how far it got. */
export interface SyncJob {
  id: string;
  runner: string;
  phase: SyncPhase;
  startedAt: string;
  finishedAt?: string;
  items: SyncItem[];
  bytesSent: number;
  bytesTotal: number;
  /** Once it ended: what it did or why not, in the words of its job's outcome. */
  message?: string;
  error?: string;
}

export const ACTIVE_SYNC_PHASES: readonly SyncPhase[] = ["queued", "loading"];

export function isSyncActive(job: Pick<SyncJob, "phase">): boolean {
  return ACTIVE_SYNC_PHASES.includes(job.phase);
}

/** A version a Sync loads, as planned before it starts. */
export interface SyncVersion {
  env: string;
  file: string;
  size: number;
}

function syncPhase(job: Job<"sync">): SyncPhase {
  if (job.waiting) return "queued";
  switch (job.outcome?.result) {
    case undefined:
      return "loading";
    case "succeeded":
      return "done";
    case "cancelled":
      return "cancelled";
    default:
      return "failed";
  }
}

/**
 * A Sync job of the registry in the shape GET /api/runners has always answered (and the Runners
 * tab reads). Pure, so the page can derive it from a pushed job too. A version still pending or
 * loading when the job ended (cancelled while waiting, or the dashboard stopped) did not load.
 */
export function syncView(job: Job<"sync">): SyncJob {
  const ended = job.outcome !== undefined;
  const items: SyncItem[] = (job.parts ?? []).map((p) => ({
    env: p.name,
    file: p.label ?? p.name,
    size: p.total ?? 0,
    state: ended && (p.state === "pending" || p.state === "loading") ? "cancelled" : (p.state as SyncItemState),
    bytesSent: p.done ?? 0,
    ...(p.error ? { error: p.error } : {}),
    ...(p.via ? { via: p.via } : {}),
  }));
  const phase = syncPhase(job);
  return {
    id: job.id,
    runner: job.target,
    phase,
    startedAt: job.startedAt,
    ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
    items,
    bytesSent: job.progress?.done ?? items.reduce((n, i) => n + i.bytesSent, 0),
    bytesTotal: job.progress?.total ?? items.reduce((n, i) => n + i.size, 0),
    ...(phase === "failed" ? { error: job.outcome?.message } : {}),
    ...(job.outcome ? { message: job.outcome.message } : {}),
  };
}

/** What the Runners tab shows for a state; the text always says it, colour only supports it. */
export function runnerEnvLabel(s: Pick<RunnerEnvStatus, "state" | "newest">): { label: string; tone: "green" | "amber" | "slate" | "gray" } {
  switch (s.state) {
    case "up_to_date":
      return { label: "Up to date", tone: "green" };
    case "behind":
      return { label: `Behind: will load ${s.newest.file} at its next task`, tone: "amber" };
    case "missing":
      return { label: "Missing", tone: "slate" };
    default:
      return { label: "Unknown", tone: "gray" };
  }
}
