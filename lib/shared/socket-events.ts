/**
 * Every Socket.IO event between the server and the page, typed once for both ends: the server's
 * `Server<…ClientEvents, …ServerEvents>` (lib/terminal/socket.ts, lib/live/hub.ts) and the page's
 * `Socket<…ServerEvents, …ClientEvents>` (components/terminal/, components/query/live.tsx). An event
 * name or payload that drifts on one side no longer compiles.
 *
 * What the server receives is still untrusted: it validates every payload (zod) whatever the types say.
 */
import type { ContainerChanges, HostContainer } from "./containers";
import type { Job } from "./jobs";
import type { LogLine } from "./logs";
import type { StatsSample } from "./stats";
import type { ListAck, OpenAck } from "./shells";
import type { Verification } from "./tarballs";

/** Bytes on the wire: the server sends a Buffer, the browser receives an ArrayBuffer. */
export type WireBytes = ArrayBuffer | Uint8Array;

export interface TerminalSize {
  cols: number;
  rows: number;
}

export interface OpenRequest extends TerminalSize {
  container: string;
  /** A command line; absent: bash where the image has it, else sh. */
  command?: string;
  /** A user name or uid[:gid]; absent: the container's default user. */
  user?: string;
}

export interface ResumeRequest extends TerminalSize {
  id: string;
}

/** Bytes the terminal has parsed (or dropped unseen), and where it was ready to drop more (flood.ts). */
export type TerminalAck = number | { bytes: number; readyAt: number };

export interface ShellExit {
  code: number | null;
  reason: string;
}

/** Page → server on `/terminal`. */
export interface TerminalClientEvents {
  open: (request: OpenRequest, ack: (answer: OpenAck) => void) => void;
  /** The ack comes first, then the kept output as `replay`. */
  resume: (request: ResumeRequest, ack: (answer: OpenAck) => void) => void;
  /** This login session's shells in a container, to offer a resume. */
  list: (request: { container: string }, ack: (answer: ListAck) => void) => void;
  input: (data: string | WireBytes) => void;
  resize: (size: TerminalSize) => void;
  ack: (parsed: TerminalAck) => void;
  /** This connection's shell (null), or one of this session's waiting for a resume (an id). Acked once it is in. */
  /** With `force`, an admin ends another person's shell (lib/shared/roles.ts END_OTHERS_SHELL_ROLE). */
  "close-shell": (which: { id: string; force?: boolean } | null, done: () => void) => void;
}

/** Server → page on `/terminal`. */
export interface TerminalServerEvents {
  output: (data: WireBytes) => void;
  /** The kept output after a resume: drawn without answering the terminal queries in it, not acknowledged. */
  replay: (data: WireBytes) => void;
  exit: (info: ShellExit) => void;
  /** The shell was resumed in another window; this connection is dropped. */
  moved: () => void;
}

export interface EngineState {
  reachable: boolean;
  version?: string;
}

/** Server → page on `/live` (the page sends nothing). */
export interface LiveServerEvents {
  engine: (state: EngineState) => void;
  /** Every container, once on connect; then only `containers:changed`. */
  containers: (all: { containers: HostContainer[] }) => void;
  "containers:changed": (changes: ContainerChanges) => void;
  /** Every job of lib/jobs (as `GET /api/jobs` lists them), whenever one changes (at most 4 times a second). */
  jobs: (all: { jobs: Job[] }) => void;
  verifications: (recent: { verifications: Verification[] }) => void;
  /** A hint: the container dir changed; the page reads again what it shows. */
  tarballs: () => void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the page sends nothing on /live
export interface LiveClientEvents {}

/** What a page watches of one container on `/watch`: its log as it is printed, or its resource use. */
export type WatchKind = "logs" | "stats";

export interface WatchRequest {
  container: string;
  kind: WatchKind;
}

export type WatchAck =
  | { ok: true; container: string; kind: WatchKind; tty: boolean; history: StatsSample[] }
  | { ok: false; error: string };

/** Page → server on `/watch`. */
export interface WatchClientEvents {
  /** Starts (or joins) the one engine stream of that container and kind. */
  watch: (request: WatchRequest, ack: (answer: WatchAck) => void) => void;
  /** Leaves it; the engine stream ends when its last viewer leaves. */
  unwatch: (request: WatchRequest) => void;
}

/** Server → page on `/watch`; `container` is the name the page asked for. */
export interface WatchServerEvents {
  /** New lines, in order; `skipped` lines were dropped because this page read too slowly. */
  log: (batch: { container: string; lines: LogLine[]; skipped: number }) => void;
  /** One a second, as the engine reads it. */
  stats: (update: { container: string; sample: StatsSample }) => void;
  /** The engine stream ended (the container stopped or was removed, the engine went away, the server stops). */
  "watch:ended": (end: { container: string; kind: WatchKind; reason: string }) => void;
}
