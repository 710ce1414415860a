import "server-only";
import type { IncomingMessage } from "node:http";
import { PassThrough, type Duplex } from "node:stream";
import type Docker from "dockerode";
import { docker } from "./client";
import { fromDockerError } from "./errors";
import { listContainers } from "./containers";

/**
 * Signalling processes inside a container without trusting anything in it.
 *
 * Docker has no API to kill an exec, so the dashboard finds a shell's processes by an
 * environment marker and signals them from a second exec. That exec often runs as root in a
 * container where unprivileged users can write files, so it must not run any program the
 * container provides other than `/bin/sh` itself (root-owned in any sane image; whoever can
 * replace it is root already):
 *
 * - only shell builtins (`for`, `case`, `read`, `kill`, `[`, `echo`, `set`), never a command
 *   looked up through `PATH`, and no `$(…)`; `PATH=/dev/null` in case a builtin is missing
 *   (nothing can be created under a character device, so a lookup finds nothing);
 * - a fixed environment (`ENV`, `BASH_ENV` emptied, `IFS` set in the script) and `/` as cwd.
 *
 * dash (Debian's /bin/sh), bash as sh and busybox ash all drop NUL bytes in `read`, so a
 * process's NUL-separated environ reads as one string to match with `case`.
 *
 * Alternatives rejected: scanning /proc from the host (`GET /containers/{id}/top` gives host PIDs,
 * but the engine may be remote, and signalling still needs an exec inside); copying a static
 * helper in (it would sit in a path the container's users could race to replace before the exec).
 *
 * Reading another process's environ needs the same uid and gid (or CAP_SYS_PTRACE, which Docker
 * does not grant), so a pass runs as the user whose processes it must see. /proc/<pid>/stat is
 * readable by anyone: a marked session leader's whole session (what it started, even with its
 * environment wiped or under another uid) is found through the session id there.
 */

export type Signal = "HUP" | "KILL";

export interface MarkerPass {
  /** The environment variable that carries the marker. */
  variable: string;
  /** Marker values to match exactly (each value has a fixed length, so no prefix confusion). */
  values?: string[];
  /** Or any value starting with this. */
  prefix?: string;
  /** Except values starting with this (checked first). */
  exceptPrefix?: string;
  /** Also signal every process in these sessions (from an earlier pass as the same user). */
  sessions?: number[];
  signal: Signal;
  /** Report `uid:gid` of the processes whose environment this pass could not read. */
  reportUnreadable?: boolean;
}

export interface PassResult {
  /** Processes signalled (marked ones and members of their sessions). */
  found: number;
  /** Session ids led by marked processes, and those passed in. */
  sessions: number[];
  /** `uid:gid` of processes whose environment could not be read (when asked). */
  unreadable: string[];
}

const SAFE_VALUE = /^[A-Za-z0-9._-]+$/;

/** The shell script of one pass (exported for tests). Values are checked, never quoted in. */
export function markerScript(pass: MarkerPass): string {
  const values = pass.values ?? [];
  for (const v of [pass.variable, ...values, pass.prefix ?? "", pass.exceptPrefix ?? ""]) {
    if (v && !SAFE_VALUE.test(v)) throw new Error(`unsafe marker text: ${JSON.stringify(v)}`);
  }
  const patterns = [
    ...values.map((v) => `*"${pass.variable}=${v}"*`),
    ...(pass.prefix ? [`*"${pass.variable}=${pass.prefix}"*`] : []),
  ];
  const sessions = (pass.sessions ?? []).filter((s) => Number.isSafeInteger(s) && s > 1);
  const except = pass.exceptPrefix ? `*"${pass.variable}=${pass.exceptPrefix}"*) ;;` : "";
  const match = patterns.length ? `${except} ${patterns.join("|")}) hit ;;` : "";
  return [
    "IFS=' \t\n'",
    `self=$$ found=0 uids=' ' sessions=' ${sessions.join(" ")} '`,
    // Fields after "(comm)" in /proc/<pid>/stat: comm may hold spaces and ")", so cut at the last ")".
    'getsid() { st= sid=; read -r st < "$1/stat"; set -- ${st##*[)]}; sid=$4; }',
    `hit() { kill -s ${pass.signal} "$pid" 2>/dev/null; found=$((found+1)); getsid "$p"; [ "$sid" = "$pid" ] && sessions="$sessions$pid "; }`,
    "for p in /proc/[0-9]*; do",
    "  pid=${p#/proc/}",
    '  if [ "$pid" = "$self" ] || [ "$pid" = 1 ]; then continue; fi',
    "  e= ok=",
    '  { while read -r l || [ -n "$l" ]; do e="$e$l "; done; ok=1; } 2>/dev/null < "$p/environ"',
    '  if [ -n "$ok" ]; then',
    match ? `    case "$e" in ${match} esac` : "    :",
    pass.reportUnreadable
      ? [
          "  else",
          "    u= g=",
          '    { while read -r k a b; do case "$k" in Uid:) u=$a ;; Gid:) g=$a; break ;; esac; done; } 2>/dev/null < "$p/status"',
          '    if [ -n "$u" ]; then case "$uids" in *" $u:$g "*) ;; *) uids="$uids$u:$g " ;; esac; fi',
        ].join("\n")
      : "",
    "  fi",
    "done",
    'if [ "$sessions" != "  " ]; then',
    "  for p in /proc/[0-9]*; do",
    "    pid=${p#/proc/}",
    '    if [ "$pid" = "$self" ] || [ "$pid" = 1 ]; then continue; fi',
    '    getsid "$p" 2>/dev/null',
    '    case "$sessions" in *" $sid "*) kill -s ' + pass.signal + ' "$pid" 2>/dev/null && found=$((found+1)) ;; esac',
    "  done",
    "fi",
    'echo "found $found"',
    'echo "sessions$sessions"',
    'echo "unreadable$uids"',
  ]
    .filter(Boolean)
    .join("\n");
}

/** Parses a pass's output strictly: anything unexpected is ignored. */
export function parsePassOutput(text: string): PassResult {
  const line = (name: string) => text.split("\n").find((l) => l.startsWith(`${name} `) || l === name)?.slice(name.length) ?? "";
  const words = (name: string) => line(name).trim().split(/\s+/).filter(Boolean);
  const found = Number(line("found").trim());
  return {
    found: Number.isSafeInteger(found) && found >= 0 ? found : 0,
    sessions: [...new Set(words("sessions").filter((w) => /^\d{1,10}$/.test(w)).map(Number))].filter((n) => n > 1),
    unreadable: [...new Set(words("unreadable").filter((w) => /^\d{1,10}:\d{1,10}$/.test(w)))],
  };
}

/** The environment of every pass: nothing to look up, nothing to source. */
const PASS_ENV = ["PATH=/dev/null", "ENV=", "BASH_ENV=", "CDPATH=", "LD_PRELOAD=", "LD_LIBRARY_PATH=", "LANG=C", "LC_ALL=C"];
const PASS_TIMEOUT_MS = 30_000;

/**
 * Runs one pass in `container` as `user` (a name or uid[:gid]; undefined = the container's
 * default user, like a shell opened without one). Rejects when the exec cannot be made.
 */
export async function signalMarkedProcesses(container: string, user: string | undefined, pass: MarkerPass): Promise<PassResult> {
  const exec = await docker()
    .getContainer(container)
    .exec({
      Cmd: ["/bin/sh", "-c", markerScript(pass)],
      User: user || undefined,
      Env: PASS_ENV,
      WorkingDir: "/",
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
    });
  const stream = await exec.start({ Detach: false });
  const out: Buffer[] = [];
  const stdout = new PassThrough();
  stdout.on("data", (c: Buffer) => out.length < 64 && out.push(c));
  const stderr = new PassThrough().resume();
  docker().modem.demuxStream(stream, stdout, stderr);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    new Promise<void>((resolve) => {
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", () => resolve());
    }),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, PASS_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  stream.destroy();
  return parsePassOutput(Buffer.concat(out).toString("utf8"));
}

/** IDs of the running environment containers (this flavour's own and adopted ones: one rule, in containers.ts). */
export async function runningManagedContainers(): Promise<string[]> {
  return (await listContainers()).filter((c) => c.state === "running").map((c) => c.id);
}

/** Whether `container` is running (false when it is gone). */
export async function isContainerRunning(container: string): Promise<boolean> {
  return docker()
    .getContainer(container)
    .inspect()
    .then((i) => i.State.Running, () => false);
}

/** A container's ID, whether it runs and its default user ("" is root); AppError when it does not exist or the engine is away. */
export async function containerRunState(ref: string): Promise<{ id: string; running: boolean; user: string }> {
  try {
    const info = await docker().getContainer(ref).inspect();
    return { id: info.Id, running: info.State.Running, user: info.Config?.User ?? "" };
  } catch (err) {
    throw fromDockerError(err, { kind: "container", name: ref });
  }
}

/** Go's os.FileMode bits in the engine's path stat. */
const MODE_DIR = 0x80000000;
const MODE_SYMLINK = 1 << 27;

/**
 * Whether `path` in the container is a file anyone may execute (or a symlink, which `[ -x ]` in the
 * container would follow), from the engine's path stat (`HEAD /containers/{id}/archive`): no exec,
 * nothing run inside. Undefined when the engine cannot say.
 */
export async function isExecutableIn(container: string, path: string): Promise<boolean | undefined> {
  try {
    const res = (await docker().getContainer(container).infoArchive({ path })) as IncomingMessage;
    res.resume();
    const header = res.headers["x-docker-container-path-stat"];
    if (typeof header !== "string") return undefined;
    const { mode } = JSON.parse(Buffer.from(header, "base64").toString("utf8")) as { mode?: unknown };
    if (typeof mode !== "number") return undefined;
    if (mode & MODE_SYMLINK) return true;
    return !(mode & MODE_DIR) && (mode & 0o111) !== 0;
  } catch (err) {
    return (err as { statusCode?: number }).statusCode === 404 ? false : undefined;
  }
}

/**
 * Starts an interactive exec with a TTY and returns its one raw stream (a TTY is not multiplexed).
 * Docker's own errors are thrown as they are: the caller knows what they mean for its user.
 */
export async function startTtyExec(
  container: string,
  options: { cmd: string[]; user?: string; env: string[] },
): Promise<{ exec: Docker.Exec; stream: Duplex }> {
  const exec = await docker()
    .getContainer(container)
    .exec({ Cmd: options.cmd, User: options.user, Env: options.env, AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: true });
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as Duplex;
  return { exec, stream };
}
