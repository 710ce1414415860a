import "server-only";
import type { Readable } from "node:stream";
import { STATS_HISTORY, statsSample, type EngineStats, type StatsSample } from "@/lib/shared/stats";
import { docker } from "./client";
import { fromDockerError } from "./errors";
import { onNdjson } from "./ndjson";
import { watchHub, type Viewer } from "./watch";

/**
 * The engine's stats stream of one container (`GET /containers/<id>/stats?stream=1`, one message a
 * second), read as NDJSON and turned into samples (lib/shared/stats.ts).
 */
async function startStats(id: string, emit: (sample: StatsSample) => void, end: (reason: string) => void): Promise<() => void> {
  const abort = new AbortController();
  let stream: Readable;
  try {
    stream = await new Promise<Readable>((resolve, reject) => {
      docker().modem.dial(
        { path: `/containers/${id}/stats?`, method: "GET", isStream: true, abortSignal: abort.signal, statusCodes: { 200: true, 404: "no such container", 500: "server error" }, options: { stream: true } },
        (err: unknown, s: unknown) => (err ? reject(err) : resolve(s as Readable)),
      );
    });
  } catch (err) {
    throw fromDockerError(err, { kind: "container", name: id });
  }
  onNdjson(stream, (value) => emit(statsSample(value as EngineStats)));
  let closed = false;
  const finish = (reason: string) => {
    if (!closed) {
      closed = true;
      end(reason);
    }
  };
  stream.on("end", () => finish("The engine ended the stats stream (the container stopped?)."));
  stream.on("error", () => finish("The engine ended the stats stream."));
  stream.on("close", () => finish("The engine ended the stats stream."));
  return () => {
    closed = true;
    abort.abort();
    stream.destroy();
  };
}

/** Watches a container's resource use through the shared hub; `history` is up to the last 60 s. */
export async function watchStats(name: string, viewer: Viewer<StatsSample>): Promise<{ id: string; name: string; history: StatsSample[]; leave: () => void }> {
  let info;
  try {
    info = await docker().getContainer(name).inspect();
  } catch (err) {
    throw fromDockerError(err, { kind: "container", name });
  }
  const { history, leave } = await watchHub().subscribe("stats", info.Id, viewer, startStats, STATS_HISTORY);
  return { id: info.Id, name: info.Name.replace(/^\//, ""), history, leave };
}
