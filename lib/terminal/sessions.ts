import "server-only";
import { processWide } from "@/lib/runtime";
import { audit } from "@/lib/audit";
import type { Revocation } from "@/lib/auth/revocation";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/shared/errors";
import type { ShellSummary } from "@/lib/shared/shells";
import type { ShellExit } from "@/lib/shared/socket-events";
import { OutputPump } from "./pump";
import { ReplayBuffer } from "./replay";
import { ShellSession, type ShellOptions } from "./shell";

/**
 * Open shells, who owns each, and what happens when their browser goes away.
 *
 * A shell belongs to the login session that opened it (or to the token), and so to its person:
 * only they resume or end it; an admin may end anyone's. When its socket
 * drops without "Close shell" (a reload, network loss, the tab closed), the shell is *detached*:
 * it keeps running, its output keeps flowing into a bounded replay buffer (the last
 * HAKURIVER_SHELL_REPLAY_KIB), and it waits HAKURIVER_SHELL_GRACE_SECONDS for its owner to resume
 * it from another socket; then the same clean-up as Close runs. Resuming is by shell id *and*
 * owner: the id alone (it reaches the browser) is not enough, and a session that is logged out
 * loses its shells at once.
 */

/** Who opened a shell. `id` is lib/auth's caller id (`session:<nonce>` or `bearer`). */
export interface Owner {
  id: string;
  /**
   * The client address it was opened from (lib/auth/sockets.ts socketAddress). With one owner
   * token and free logins, the address is what tells one person from another for the shell limits.
   */
  address: string;
  /** For a login session: what a logout (or "log out everywhere") is matched against. */
  session?: { nonce: string; generation: number };
  /** The person it belongs to (`owner` for the owner token). */
  person: string;
}

/** The browser's end of a shell (a socket). */
export interface ShellClient {
  send: (chunk: Buffer) => void;
  /** Bytes sent that its socket has not yet written to the network (the pump's `backlog`). */
  backlog?: () => number;
  /** The kept output, for a resume: written without answering the queries in it (outside flow control). */
  replay: (chunk: Buffer) => void;
  exit: (info: ExitInfo) => void;
  /** The shell was resumed by another connection of the same owner. */
  movedAway: () => void;
}

/** How a shell ended, as the browser is told (`exit`). */
export type ExitInfo = ShellExit;

const MAX_SHELLS = 64;

const shells = processWide("shells.live", () => new Map<string, LiveShell>());

export class LiveShell {
  readonly startedAt = Date.now();
  private client?: ShellClient;
  private pump?: OutputPump;
  private graceTimer?: NodeJS.Timeout;
  /** Set when the shell ended while no browser was there to be told. */
  private exitedAway?: ExitInfo;
  private ending?: Promise<void>;
  private readonly replay = new ReplayBuffer(getConfig().shellReplayBytes);

  constructor(
    readonly owner: Owner,
    private readonly shell: ShellSession,
    private readonly options: ShellOptions,
  ) {}

  get id(): string {
    return this.shell.id;
  }

  get container(): string {
    return this.shell.container;
  }

  get command(): string {
    return this.shell.command;
  }

  /** What runs ("bash", "sh" or the command line) and as whom. */
  get program(): string {
    return this.shell.program;
  }

  get user(): string {
    return this.shell.user;
  }

  /** Ended, or ending. */
  get over(): boolean {
    return this.ending !== undefined;
  }

  summary(): ShellSummary {
    return { id: this.id, container: this.container, command: this.command, program: this.shell.program, user: this.shell.user, startedAt: this.startedAt, attached: !!this.client };
  }

  /** Bytes held for a resume (the bench reads it). */
  get replayBytes(): number {
    return this.replay.size;
  }

  async start(client: ShellClient): Promise<void> {
    this.attach(client);
    await this.shell.open({ onOutput: (chunk) => this.output(chunk), onExit: (info) => this.exited(info) });
  }

  private output(chunk: Buffer): void {
    this.replay.write(chunk);
    this.pump?.push(chunk);
  }

  private exited(info: ExitInfo): void {
    if (this.client) {
      this.pump?.flush(true);
      this.client.exit(info);
      void this.end(`${info.reason} exit code ${info.code}`);
      return;
    }
    // Nobody to tell: keep the news (and the replay) for a resume until the grace period ends.
    this.exitedAway = info;
    void this.shell.close();
  }

  private attach(client: ShellClient): void {
    this.client = client;
    // 512 KiB unacknowledged at most: past that the pump holds output and drops a flood's unseen
    // lines itself before sending (when the browser's terminal was ready behind them), or pauses
    // the shell. What is on its way when Ctrl-C stops a flood is thus a screenful and the
    // scrollback, not megabytes. The socket's own buffer counts the same way: acks are the
    // client's word, its buffer is not.
    this.pump = new OutputPump({
      send: client.send,
      backlog: client.backlog,
      pause: () => this.shell.pause(),
      resume: () => this.shell.resume(),
      highWater: 512 * 1024,
      lowWater: 256 * 1024,
      terminal: () => ({ rows: this.options.rows, scrollback: getConfig().shellScrollback }),
    });
  }

  /** A socket that is not this shell's client any more. */
  private release(): void {
    this.pump?.stop();
    this.pump = undefined;
    this.client = undefined;
  }

  input(data: string | Buffer): void {
    this.shell.write(data);
  }

  async resize(cols: number, rows: number): Promise<void> {
    this.options.cols = cols;
    this.options.rows = rows;
    await this.shell.resize(cols, rows);
  }

  /** The browser's acknowledgement: bytes, or {bytes, readyAt} (an offset where its terminal was ready). */
  ack(payload: unknown): void {
    if (typeof payload === "object" && payload !== null) {
      const { bytes, readyAt } = payload as { bytes?: unknown; readyAt?: unknown };
      this.pump?.ack(bytes);
      this.pump?.ready(readyAt);
    } else {
      this.pump?.ack(payload);
    }
  }

  isClient(client: ShellClient): boolean {
    return this.client === client;
  }

  /** The socket dropped without Close: wait for a resume, then end. */
  detach(client: ShellClient, why: string): void {
    if (this.client !== client || this.ending) return;
    this.release();
    const grace = getConfig().shellGraceSeconds;
    if (grace === 0 || this.exitedAway) {
      void this.end(this.exitedAway ? `${this.exitedAway.reason} exit code ${this.exitedAway.code}` : why);
      return;
    }
    audit({ session: this.owner.id, action: "shell.detach", target: this.container, result: "ok", detail: `${this.id}: ${why}; kept ${grace} s for a resume` });
    this.graceTimer = setTimeout(() => void this.end(`not resumed within ${grace} s (${why})`), grace * 1000);
    this.graceTimer.unref();
  }

  /**
   * Moves the shell to `client`: replays the kept output, then takes the new screen size (a
   * full-screen program redraws on the size change, even when the size is the same). A shell that
   * ended meanwhile replays its last output and reports its exit.
   */
  async resume(client: ShellClient, size: { cols: number; rows: number }): Promise<void> {
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    const previous = this.client;
    this.release();
    previous?.movedAway();
    this.attach(client);
    audit({ session: this.owner.id, action: "shell.resume", target: this.container, result: "ok", detail: `${this.id}: ${this.replay.size} bytes replayed` });
    client.replay(this.replay.contents());
    if (this.exitedAway) {
      const info = this.exitedAway;
      client.exit(info);
      await this.end(`${info.reason} exit code ${info.code}`);
      return;
    }
    if (size.cols === this.options.cols && size.rows === this.options.rows && size.rows > 2) await this.shell.resize(size.cols, size.rows - 1);
    await this.resize(size.cols, size.rows);
  }

  /** Ended by someone else (an admin, a revocation): the browser attached to it is told why, then it ends. */
  endFor(why: string): Promise<void> {
    this.client?.exit({ code: null, reason: why });
    return this.end(why);
  }

  /** Ends the shell and what it started (Close, exit, the grace period over, a logout); once. */
  end(how: string | undefined): Promise<void> {
    this.ending ??= (async () => {
      clearTimeout(this.graceTimer);
      this.release();
      shells.delete(this.id);
      await this.shell.close();
      if (how) audit({ session: this.owner.id, action: "shell.close", target: this.container, result: "ok", detail: `${this.id}: ${how}` });
    })();
    return this.ending;
  }
}

/**
 * Opens a shell for `owner`, within the limits (refuseOverLimits); rejects with an AppError.
 * `created` gets the shell as soon as it exists, before Docker has started it.
 */
export async function openShell(owner: Owner, options: ShellOptions, client: ShellClient, created?: (live: LiveShell) => void): Promise<LiveShell> {
  refuseOverLimits(owner);
  const live = new LiveShell(owner, new ShellSession(options), { ...options });
  shells.set(live.id, live);
  // Output flows (and is acknowledged) before the open completes: the caller routes acks from now.
  created?.(live);
  try {
    await live.start(client);
    return live;
  } catch (err) {
    await live.end(undefined); // never opened: the caller audits the failure
    throw err;
  }
}

/**
 * The limits on open shells, attached or waiting for a resume (a detached shell holds its slot for
 * the grace period): 64 in all, HAKURIVER_SHELLS_PER_SESSION per login session (or for the bearer
 * token), and HAKURIVER_SHELLS_PER_ADDRESS per client address over all its sessions, since logins
 * cost nothing and several sessions could otherwise take all 64.
 */
function refuseOverLimits(owner: Owner): void {
  if (shells.size >= MAX_SHELLS) throw new AppError("conflict:shell", `Too many open shells (${MAX_SHELLS}); close some first.`);
  const { shellsPerSession, shellsPerAddress } = getConfig();
  const all = [...shells.values()];
  if (all.filter((s) => s.owner.id === owner.id).length >= shellsPerSession) {
    throw new AppError("conflict:shell", `Too many open shells for this session (${shellsPerSession}); close some first.`);
  }
  if (all.filter((s) => s.owner.address === owner.address).length >= shellsPerAddress) {
    throw new AppError("conflict:shell", `Too many open shells from this address (${shellsPerAddress}); close some first.`);
  }
}

/** `owner`'s shell `id`. Someone else's shell is "not found" too: ids are not to be probed. */
export function findShell(owner: Owner, id: unknown): LiveShell {
  const live = typeof id === "string" ? shells.get(id) : undefined;
  if (!live || live.owner.id !== owner.id || owner.id === "anonymous") {
    throw new AppError("not_found:shell", "That shell has ended (or was opened by another login session).");
  }
  return live;
}

/** `owner`'s shells in `container`, newest first: what the Shell button offers to resume. */
export function shellsOf(owner: Owner, container: string): ShellSummary[] {
  return [...shells.values()]
    .filter((s) => s.owner.id === owner.id && s.container === container)
    .map((s) => s.summary())
    .sort((a, b) => b.startedAt - a.startedAt);
}

/** Any shell by id (an admin ending someone else's). */
export function findAnyShell(id: string): LiveShell | undefined {
  return shells.get(id);
}

/** Ends the shells a predicate picks (a person's, after their sessions end or a token is revoked). */
export function endShellsWhere(pick: (owner: Owner) => boolean, why: string): number {
  const ended = [...shells.values()].filter((s) => pick(s.owner));
  for (const s of ended) void s.endFor(why);
  return ended.length;
}

/** A logout ends that session's shells (every session's, for "log out everywhere") at once. */
export function endShellsOfRevoked(revocation: Revocation): void {
  for (const live of [...shells.values()]) {
    const session = live.owner.session;
    if (!session) continue;
    const revoked = "everywhere" in revocation ? session.generation < revocation.generation : session.nonce === revocation.nonce;
    if (revoked) void live.end("the login session ended");
  }
}

/** Ends every shell (server shutdown). */
export async function closeAllShells(): Promise<void> {
  await Promise.all([...shells.values()].map((s) => s.end("the server is stopping")));
}

/** Every shell, attached or waiting for a resume (tests and the bench). */
export function liveShells(): LiveShell[] {
  return [...shells.values()];
}
