import "server-only";
import { PassThrough, Writable, type Readable } from "node:stream";
import { AppError } from "@/lib/shared/errors";
import { logTimeBound, type LogLine, type LogTail } from "@/lib/shared/logs";
import { docker } from "./client";
import { fromDockerError } from "./errors";

/** Lines the Logs view shows by default, and the most it may ask for. */
export const DEFAULT_TAIL = 1000;
export const MAX_TAIL = 10_000;
/** Bytes of log the Logs view reads at most, whatever the tail: a line can be as long as a container likes. */
export const DEFAULT_BYTE_CAP = 2 * 1024 * 1024;

/** Logging drivers whose logs the engine cannot read back (`docker logs` refuses them too). */
const UNREADABLE_DRIVERS = new Set(["none"]);

/** What the log readers need of a container: whether its output is raw (TTY) and where its logs go. */
export interface LogSource {
  id: string;
  name: string;
  tty: boolean;
  driver: string;
}

export async function logSource(name: string): Promise<LogSource> {
  try {
    const info = await docker().getContainer(name).inspect();
    return { id: info.Id, name: info.Name.replace(/^\//, ""), tty: info.Config.Tty === true, driver: info.HostConfig.LogConfig?.Type ?? "json-file" };
  } catch (err) {
    throw fromDockerError(err, { kind: "container", name });
  }
}

/** Why the engine keeps nothing to read for this driver, or undefined when it does. */
export function noLogsReason(source: LogSource): string | undefined {
  if (!UNREADABLE_DRIVERS.has(source.driver)) return undefined;
  return `${source.name} uses the "${source.driver}" logging driver: the engine keeps no logs of it, so there is nothing to show or download.`;
}

/**
 * The engine's log stream of a container as a Node stream, never buffered: dockerode's own
 * `logs()` buffers the whole answer unless it follows, so this dials the same endpoint as a stream.
 */
export async function engineLogStream(source: LogSource, query: Record<string, unknown>, signal?: AbortSignal): Promise<Readable> {
  const reason = noLogsReason(source);
  if (reason) throw new AppError("conflict:logs", reason);
  try {
    return await new Promise<Readable>((resolve, reject) => {
      docker().modem.dial(
        {
          path: `/containers/${source.id}/logs?`,
          method: "GET",
          isStream: true,
          abortSignal: signal,
          statusCodes: { 200: true, 404: "no such container", 500: "server error", 501: "logging driver does not support reading" },
          options: { stdout: true, stderr: true, ...query },
        },
        (err: unknown, stream: unknown) => (err ? reject(err) : resolve(stream as Readable)),
      );
    });
  } catch (err) {
    throw fromDockerError(err, { kind: "container", name: source.name });
  }
}

/** Splits one stream's bytes into timestamped lines; a partial line waits for the rest. */
export function lineSplitter(stream: LogLine["stream"], push: (line: LogLine) => void) {
  let pending = "";
  const emit = (raw: string) => {
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const space = text.indexOf(" ");
    const time = space > 0 && /^\d{4}-\d\d-\d\dT/.test(text) ? text.slice(0, space) : "";
    push({ stream, time, text: time ? text.slice(space + 1) : text });
  };
  return {
    write(chunk: Buffer) {
      const parts = (pending + chunk.toString("utf8")).split("\n");
      pending = parts.pop() ?? "";
      for (const part of parts) emit(part);
    },
    end() {
      if (pending) emit(pending);
      pending = "";
    },
  };
}

export function sink(write: (chunk: Buffer) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      write(chunk);
      done();
    },
  });
}

/**
 * The last `tail` lines of a container's log with their timestamps, stdout and stderr told apart
 * (a TTY container has one raw stream, "tty"). At most `byteCap` bytes are read from the engine:
 * past it the stream is closed and the answer says it was cut. `since` and `until` (the engine's
 * forms: Unix seconds or RFC 3339, see logTimeBound) narrow it to a time range.
 */
export async function readLogTail(name: string, options: { tail?: number; byteCap?: number; since?: string; until?: string; scan?: number; source?: LogSource } = {}): Promise<LogTail> {
  const tail = options.scan ?? Math.min(Math.max(1, Math.floor(options.tail ?? DEFAULT_TAIL)), MAX_TAIL);
  const byteCap = options.byteCap ?? DEFAULT_BYTE_CAP;
  // The page has inspected the container already: one engine call fewer on its first screen.
  const source = options.source ?? (await logSource(name));
  const base = { container: source.name, tty: source.tty, driver: source.driver, tail };
  const reason = noLogsReason(source);
  if (reason) return { ...base, lines: [], truncated: false, noLogs: reason };
  const range = { ...(options.since ? { since: options.since } : {}), ...(options.until ? { until: options.until } : {}) };
  const stream = await engineLogStream(source, { tail, timestamps: true, ...range });
  const lines: LogLine[] = [];
  const push = (line: LogLine) => lines.push(line);
  const out = lineSplitter(source.tty ? "tty" : "stdout", push);
  const err = lineSplitter("stderr", push);
  let read = 0;
  let truncated = false;
  await new Promise<void>((resolve, reject) => {
    stream.on("data", (chunk: Buffer) => {
      read += chunk.length;
      if (read > byteCap && !truncated) {
        truncated = true;
        stream.destroy();
        resolve();
      }
    });
    if (source.tty) stream.on("data", (chunk: Buffer) => !truncated && out.write(chunk));
    else docker().modem.demuxStream(stream, sink((c) => !truncated && out.write(c)), sink((c) => !truncated && err.write(c)));
    stream.on("end", () => resolve());
    stream.on("close", () => resolve());
    stream.on("error", (e) => (truncated ? resolve() : reject(fromDockerError(e, { kind: "container", name: source.name }))));
  });
  out.end();
  err.end();
  return { ...base, lines, truncated };
}

/**
 * The whole log as one byte stream (stdout and stderr interleaved as the engine sends them, what
 * `docker logs` prints), for Download: read from the engine as the client takes it.
 */
export async function logDownloadStream(name: string, signal?: AbortSignal): Promise<{ source: LogSource; body: Readable }> {
  const source = await logSource(name);
  const engine = await engineLogStream(source, {}, signal);
  if (source.tty) return { source, body: engine };
  const body = new PassThrough();
  // Backpressure by hand: demuxStream ignores write()'s answer, so a slow client pauses the engine.
  const target = {
    write(chunk: Buffer) {
      if (!body.write(chunk)) {
        engine.pause();
        body.once("drain", () => engine.resume());
      }
      return true;
    },
  };
  docker().modem.demuxStream(engine, target as unknown as Writable, target as unknown as Writable);
  engine.on("end", () => body.end());
  engine.on("error", (e) => body.destroy(e));
  body.on("close", () => engine.destroy());
  return { source, body };
}

/**
 * readLogTail for input from a URL or a form: `tail` a number (else the default), `since` and
 * `until` as logTimeBound reads them; a bad value is a 400 that names it, and nothing is read.
 * `older`: the page before `until` (see readOlderLines).
 */
export async function readLogLines(name: string, input: { tail?: string; since?: string; until?: string; older?: boolean; source?: LogSource }): Promise<LogTail> {
  const tail = input.tail ? Number(input.tail) : undefined;
  if (tail !== undefined && !(Number.isInteger(tail) && tail > 0)) throw new AppError("bad_request:input", `"${input.tail}" is not a number of lines.`);
  const bound = (value: string | undefined) => {
    const b = logTimeBound(value ?? "");
    if (b instanceof Error) throw new AppError("bad_request:input", b.message);
    return b;
  };
  const range = { since: bound(input.since), until: bound(input.until), source: input.source };
  return input.older && range.until ? readOlderLines(name, tail ?? DEFAULT_TAIL, range) : readLogTail(name, { tail, ...range });
}

/** The most lines from the end an older page is looked for in. */
const MAX_SCAN = 1 << 22;

/**
 * The `tail` lines before `until` (Load older), and the line(s) at `until`. The engine applies `tail` to the whole log before
 * `until`, so the last T lines are asked for with T doubling until the range holds `tail` lines
 * (or the log's start, or the byte cap, is reached); only lines up to `until` cross the socket.
 */
async function readOlderLines(name: string, tail: number, range: { since?: string; until?: string; source?: LogSource }): Promise<LogTail> {
  tail = Math.min(Math.max(1, tail), MAX_TAIL);
  // The engine's until includes the line at that time, which the page holds already.
  const need = tail + 1;
  let previous = -1;
  for (let scan = tail * 2; ; scan *= 2) {
    const log = await readLogTail(name, { ...range, scan });
    const enough = log.lines.length >= need || log.truncated || log.lines.length === previous || scan >= MAX_SCAN;
    if (enough) return { ...log, tail, lines: log.lines.slice(-need) };
    previous = log.lines.length;
  }
}
