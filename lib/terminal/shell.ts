import "server-only";
import { randomUUID } from "node:crypto";
import type { Duplex } from "node:stream";
import type Docker from "dockerode";
import { docker } from "@/lib/docker/client";
import { dockerMessage, fromDockerError, isUnreachable, unreachableError } from "@/lib/docker/errors";
import { AppError } from "@/lib/errors";

/**
 * Interactive shells: `docker exec` with a TTY, bytes passed through untouched (never decoded
 * here, so UTF-8 split across chunks stays intact).
 *
 * Docker never ends an exec when its stream closes, and has no API to kill one. So every shell
 * carries a unique environment marker, and closing a shell runs a second exec that signals (HUP,
 * then KILL) every process in the container whose environment carries that marker: the shell and
 * whatever it started. Markers left by a crashed server are swept at start-up.
 */
export const MARKER_VAR = "HAKURIVER_SHELL_SESSION";

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
  onExit: (info: { code: number | null; reason: string }) => void;
}

/** Splits a command line on whitespace, honouring simple single and double quotes. */
export function splitCommand(line: string): string[] {
  const parts: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m; (m = re.exec(line)); ) parts.push(m[1] ?? m[2] ?? m[3]);
  return parts;
}

/** The script that ends the processes carrying `marker` (or any marker, for the start-up sweep). */
export function killScript(marker: string | null): string {
  const match = marker ? `grep -qx '${MARKER_VAR}=${marker}'` : `grep -q '^${MARKER_VAR}='`;
  return [
    "for sig in HUP KILL; do",
    "  found=0",
    "  for p in /proc/[0-9]*; do",
    '    pid=${p#/proc/}',
    '    [ "$pid" = "$$" ] && continue',
    `    if tr '\\0' '\\n' < "$p/environ" 2>/dev/null | ${match}; then kill -$sig "$pid" 2>/dev/null; found=1; fi`,
    "  done",
    '  [ "$found" = 0 ] && exit 0',
    "  sleep 0.5",
    "done",
  ].join("\n");
}

async function runKill(container: string, marker: string | null): Promise<void> {
  const exec = await docker().getContainer(container).exec({ Cmd: ["/bin/sh", "-c", killScript(marker)], User: "0", AttachStdout: false, AttachStderr: false });
  const stream = await exec.start({ Detach: false });
  await new Promise<void>((resolve) => {
    stream.on("end", resolve);
    stream.on("close", resolve);
    stream.on("error", () => resolve());
    stream.resume();
  });
}

export class ShellSession {
  readonly id = randomUUID();
  private exec?: Docker.Exec;
  private stream?: Duplex;
  private closed = false;
  private ended = false;
  /** What the shell runs, for the UI: "auto" means bash or sh. */
  command = "auto";
  private startedAt = 0;
  /** The first output, to tell "command not found" (reported in-stream by Docker) from a normal end. */
  private head = Buffer.alloc(0);

  constructor(private readonly options: ShellOptions) {}

  get container(): string {
    return this.options.container;
  }

  /** Starts the shell; rejects with an AppError the user can read. */
  async open(handlers: ShellHandlers): Promise<void> {
    const { container } = this.options;
    let info: Docker.ContainerInspectInfo;
    try {
      info = await docker().getContainer(container).inspect();
    } catch (err) {
      throw fromDockerError(err, { kind: "container", name: container });
    }
    if (!info.State.Running) throw new AppError("conflict:container", `Container ${container} is not running; start it first.`);

    const custom = splitCommand(this.options.command ?? "");
    this.command = custom.length ? custom.join(" ") : "auto";
    try {
      this.exec = await docker()
        .getContainer(container)
        .exec({
          Cmd: custom.length ? custom : AUTO_SHELL,
          User: this.options.user || undefined,
          Env: [`${MARKER_VAR}=${this.id}`, "TERM=xterm-256color", "COLORTERM=truecolor"],
          AttachStdin: true,
          AttachStdout: true,
          AttachStderr: true,
          Tty: true,
        });
      this.stream = (await this.exec.start({ hijack: true, stdin: true, Tty: true })) as Duplex;
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
      await runKill(container, this.id).catch(() => {});
      throw new AppError("conflict:shell", "The shell was closed while it was opening.");
    }
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

  private async exitInfo(): Promise<{ code: number | null; reason: string }> {
    const { container } = this.options;
    try {
      const state = await this.exec!.inspect();
      const isRunning = () =>
        docker()
          .getContainer(container)
          .inspect()
          .then((i) => i.State.Running, () => false);
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
    if (!this.exec) return;
    const running = await this.exec.inspect().then((s) => s.Running, () => false);
    if (!running && this.ended) return;
    await runKill(this.options.container, this.id).catch((err) => {
      console.error(`[hakuriver] could not end shell ${this.id} in ${this.options.container}:`, dockerMessage(err));
    });
  }
}

/** At start-up: ends shells a crashed server left running, in every running container (4 at a time). */
export async function sweepLeftoverShells(): Promise<void> {
  const queue = await docker().listContainers({ filters: { status: ["running"] } });
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) await runKill(c.Id, null).catch(() => {});
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}
