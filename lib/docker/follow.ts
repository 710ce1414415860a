import "server-only";
import type { LogLine } from "@/lib/shared/logs";
import { docker } from "./client";
import { engineLogStream, lineSplitter, logSource, sink, type LogSource } from "./logs";
import { watchHub, type Viewer } from "./watch";

/** Lines gathered before they are passed on: one engine chunk's worth, at most this many. */
const MAX_BATCH = 2000;
const FLUSH_MS = 10;

export interface LogBatch {
  lines: LogLine[];
  /** Lines dropped before this batch because they came faster than anyone could show them. */
  skipped: number;
}

/**
 * The engine's `follow: true` log stream of one container, from now on (`tail: 0`): demultiplexed
 * with dockerode's demux for a non-TTY container (stdout and stderr apart), read raw for a TTY one,
 * split into lines and handed on in small batches.
 */
function startFollow(source: LogSource) {
  return async (_id: string, emit: (batch: LogBatch) => void, end: (reason: string) => void): Promise<() => void> => {
    const abort = new AbortController();
    const stream = await engineLogStream(source, { follow: true, tail: 0, timestamps: true }, abort.signal);
    let pending: LogLine[] = [];
    let skipped = 0;
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      if (pending.length === 0) return;
      const batch = { lines: pending, skipped };
      pending = [];
      skipped = 0;
      emit(batch);
    };
    const push = (line: LogLine) => {
      pending.push(line);
      if (pending.length > MAX_BATCH) {
        pending.shift();
        skipped++;
      }
      timer ??= setTimeout(flush, FLUSH_MS);
    };
    const out = lineSplitter(source.tty ? "tty" : "stdout", push);
    const err = lineSplitter("stderr", push);
    if (source.tty) stream.on("data", (chunk: Buffer) => out.write(chunk));
    else docker().modem.demuxStream(stream, sink((c) => out.write(c)), sink((c) => err.write(c)));
    let closed = false;
    const finish = (reason: string) => {
      if (closed) return;
      closed = true;
      out.end();
      err.end();
      clearTimeout(timer);
      flush();
      end(reason);
    };
    stream.on("end", () => finish("The container stopped: its log ends here."));
    stream.on("error", () => finish("The engine ended the log stream."));
    stream.on("close", () => finish("The engine ended the log stream."));
    return () => {
      closed = true;
      clearTimeout(timer);
      abort.abort();
      stream.destroy();
    };
  };
}

/** Follows a container's log through the shared hub: one engine stream however many viewers. */
export async function followLogs(name: string, viewer: Viewer<LogBatch>): Promise<{ source: LogSource; leave: () => void }> {
  const source = await logSource(name);
  const { leave } = await watchHub().subscribe("logs", source.id, viewer, startFollow(source));
  return { source, leave };
}
