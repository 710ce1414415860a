import "server-only";
import { randomUUID } from "node:crypto";
import type { Duplex } from "node:stream";
import type Docker from "dockerode";
import { dockerMessage, isUnreachable, unreachableError } from "@/lib/docker/errors";
import { containerRunState, isContainerRunning, isExecutableIn, startTtyExec } from "@/lib/docker/exec";
import { AppError } from "@/lib/shared/errors";
import type { ShellExit } from "@/lib/shared/socket-events";
import { MARKER_VAR, endShells, markerOf, noteShell } from "./cleanup";

/**
 * Interactive shells: `docker exec` with a TTY, bytes passed through untouched (never decoded
 * here, so UTF-8 split across chunks stays intact).
 *
 * Docker never ends an exec when its stream closes: every shell carries a marker in its
 * environment, and closing it ends the processes that carry it (./cleanup.ts).
 */
export { MARKER_VAR, instanceId, sweepLeftoverShells } from "./cleanup";

/** Picks bash when the image has it, else sh — in one exec, without a probe round trip. */
const AUTO_SHELL = ["/bin/sh", "-c", 'if [ -x /bin/bash ]; then exec /bin/bash; else exec /bin/sh; fi'];

export interface ShellOptions {
  container: string;
  /** A command line such as "/bin/zsh" or "python3 -q"; empty means bash, else sh. */
  command?: string;
  /** A user name or uid[:gid]; empty means the container's default. */
  user?: string;
  cols: number;
  rows: number;
}

export interface ShellHandlers {
  onOutput: (chunk: Buffer) => void;
  onExit: (info: ShellExit) => void;
}

/** Splits a command line on whitespace, honouring simple single and double quotes. */
export function splitCommand(line: string): string[] {
  const parts: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m; (m = re.exec(line)); ) parts.push(m[1] ?? m[2] ?? m[3]);
  return parts;
}

export class ShellSession {
  readonly id = randomUUID();
  private exec?: Docker.Exec;
  private stream?: Duplex;
  private closed = false;
  private ended = false;
  /** What the shell runs, as asked: "auto" means bash or sh. */
  command = "auto";
  /** What runs, for the UI: "bash", "sh" (what "auto" chose) or the command line. */
  program = "bash or sh";
  /** Who it runs as: the user asked for, else the container's default ("root" when it has none). */
  user = "";
  private startedAt = 0;
  /** The first output, to tell "command not found" (reported in-stream by Docker) from a normal end. */
  private head = Buffer.alloc(0);
  /** The container's ID once known; the clean-up targets it (a name can be reused). */
  private containerId?: string;
  private marker?: string;
  private cleaned?: Promise<void>;

  constructor(private readonly options: ShellOptions) {}

  get container(): string {
    return this.options.container;
  }

  /** Starts the shell; rejects with an AppError the user can read. */
  async open(handlers: ShellHandlers): Promise<void> {
    const { container } = this.options;
    const info = await containerRunState(container);
    if (!info.running) throw new AppError("conflict:container", `Container ${container} is not running; start it first.`);
    this.marker = markerOf(this.id);
    this.containerId = info.id;
    noteShell(info.id, 1);

    const custom = splitCommand(this.options.command ?? "");
    this.command = custom.length ? custom.join(" ") : "auto";
    this.user = this.options.user || info.user || "root";
    // What "auto" picks, asked of the engine while the exec starts (the same test as AUTO_SHELL's).
    const hasBash = custom.length ? undefined : isExecutableIn(info.id, "/bin/bash");
    try {
      ({ exec: this.exec, stream: this.stream } = await startTtyExec(container, {
        cmd: custom.length ? custom : AUTO_SHELL,
        user: this.options.user || undefined,
        env: [`${MARKER_VAR}=${this.marker}`, "TERM=xterm-256color", "COLORTERM=truecolor"],
      }));
    } catch (err) {
      if (isUnreachable(err)) throw unreachableError(err);
      const message = dockerMessage(err);
      if (/no such file|not found|executable file/i.test(message)) {
        throw new AppError(
          "failed:no_shell",
          custom.length ? `${custom[0]} was not found in ${container}.` : `No shell found in ${container} (tried /bin/bash and /bin/sh).`,
          { cause: err },
        );
      }
      if (/unable to find user|no matching entries in passwd/i.test(message)) {
        throw new AppError("bad_request:user", `User ${this.options.user} does not exist in ${container}.`, { cause: err });
      }
      throw new AppError("failed:exec", `Could not open a shell in ${container}: ${message}`, { cause: err });
    }

    // Closed while Docker was starting it (the browser went away): end what was just started.
    if (this.closed) {
      this.stream.destroy();
      await this.cleanUp();
      throw new AppError("conflict:shell", "The shell was closed while it was opening.");
    }
    this.program = custom.length ? this.command : ({ true: "bash", false: "sh", undefined: "bash or sh" } as const)[`${await hasBash}`];
    const stream = this.stream;
    this.startedAt = Date.now();
    stream.on("data", (chunk: Buffer) => {
      if (this.head.length < 1024) this.head = Buffer.concat([this.head, chunk]).subarray(0, 1024);
      handlers.onOutput(chunk);
    });
    const finish = async () => {
      if (this.ended) return;
      this.ended = true;
      handlers.onExit(await this.exitInfo());
    };
    stream.on("end", finish);
    stream.on("close", finish);
    stream.on("error", finish);
    await this.resize(this.options.cols, this.options.rows);
  }

  private async exitInfo(): Promise<ShellExit> {
    const { container } = this.options;
    try {
      const state = await this.exec!.inspect();
      const isRunning = () => isContainerRunning(container);
      let running = await isRunning();
      // Killed by a signal: maybe the container is stopping and Docker has not said so yet.
      for (let i = 0; running && (state.ExitCode ?? 129) > 128 && i < 5; i++) {
        await new Promise((r) => setTimeout(r, 200));
        running = await isRunning();
      }
      if (!running) return { code: state.ExitCode ?? null, reason: `Container ${container} stopped.` };
      // With a TTY, Docker starts the exec and then reports a missing binary inside the stream.
      const quick = Date.now() - this.startedAt < 3000;
      const head = this.head.toString("utf8");
      if (quick && /unable to find user|no matching entries in passwd/i.test(head)) {
        return { code: state.ExitCode ?? null, reason: `User ${this.options.user} does not exist in ${container}.` };
      }
      if (quick && (state.ExitCode === 126 || state.ExitCode === 127) && /exec failed|executable file not found|no such file/i.test(head)) {
        return {
          code: state.ExitCode,
          reason: this.command === "auto" ? `No shell found in ${container} (tried /bin/bash and /bin/sh).` : `${this.command.split(" ")[0]} was not found in ${container}.`,
        };
      }
      return { code: state.ExitCode ?? null, reason: "The shell ended." };
    } catch (err) {
      if (isUnreachable(err)) return { code: null, reason: "Lost the Docker engine." };
      return { code: null, reason: "The shell ended." };
    }
  }

  write(data: string | Buffer): void {
    if (!this.closed && !this.ended) this.stream?.write(data);
  }

  async resize(cols: number, rows: number): Promise<void> {
    if (this.closed || this.ended || !this.exec) return;
    // Docker never answers a resize of an exec that failed to start; do not wait on it for long.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.exec.resize({ w: cols, h: rows }).catch(() => {}),
      new Promise((resolve) => (timer = setTimeout(resolve, 2000))),
    ]);
    clearTimeout(timer);
  }

  pause(): void {
    this.stream?.pause();
  }

  resume(): void {
    this.stream?.resume();
  }

  /** Ends the shell and everything it started in the container; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stream?.removeAllListeners("data");
    this.stream?.end();
    this.stream?.destroy();
    const running = await this.exec?.inspect().then((s) => s.Running, () => false);
    await this.cleanUp(!running && this.ended);
  }

  /** Ends the shell's processes (unless it ended by itself) and forgets its container; once. */
  private cleanUp(exited = false): Promise<void> {
    this.cleaned ??= (async () => {
      if (!this.containerId || !this.marker) return;
      try {
        if (this.exec && !exited) await endShells(this.containerId, this.options.user || undefined, this.marker);
      } catch (err) {
        console.error(`[hakuriver] could not end shell ${this.id} in ${this.options.container}:`, dockerMessage(err));
      } finally {
        noteShell(this.containerId, -1);
      }
    })();
    return this.cleaned;
  }
}

