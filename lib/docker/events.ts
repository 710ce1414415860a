import "server-only";
import { processWide } from "@/lib/runtime";
import { docker } from "./client";
import { onNdjson } from "./ndjson";

/**
 * The engine's own change feed (`GET /events`), one stream per server process, shared by every
 * page through lib/live. Docker does not replay events missed while the stream was down, so every
 * (re)connection is announced as `resync`: listeners re-read the full state once.
 */
export type EngineEvent =
  | { type: "container" | "image"; action: string; id: string }
  | { type: "resync" }
  | { type: "state"; connected: boolean };

type Listener = (event: EngineEvent) => void;

/** Actions that change nothing a list shows (shells and attaches come and go all the time). */
const QUIET = /^(exec_|attach|detach|resize|top|export|copy|archive-path|extract-to-dir)/;
const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 15_000;

class EventFeed {
  private readonly listeners = new Set<Listener>();
  private running = false;
  private stream?: NodeJS.ReadableStream & { destroy?: () => void };
  connected = false;

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (!this.running) void this.run();
    return () => {
      this.listeners.delete(listener);
      // Nobody listens any more: end the stream (the loop then stops instead of reconnecting).
      if (this.listeners.size === 0) this.drop();
    };
  }

  private emit(event: EngineEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        console.error("[hakuriver] an engine event listener failed:", err);
      }
    }
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    this.emit({ type: "state", connected });
  }

  private async run(): Promise<void> {
    this.running = true;
    let backoff = MIN_BACKOFF_MS;
    while (this.listeners.size > 0) {
      try {
        const stream = (await docker().getEvents({ filters: { type: ["container", "image"] } })) as NodeJS.ReadableStream;
        this.stream = stream;
        this.setConnected(true);
        this.emit({ type: "resync" });
        backoff = MIN_BACKOFF_MS;
        await this.consume(stream);
      } catch {
        // Engine away: retry below.
      }
      this.stream = undefined;
      this.setConnected(false);
      if (this.listeners.size === 0) break;
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
    this.running = false;
  }

  /** Reads NDJSON until the stream ends or fails. */
  private consume(stream: NodeJS.ReadableStream): Promise<void> {
    return new Promise((resolve) => {
      onNdjson(stream, (value) => {
        const e = value as { Type?: string; Action?: string; Actor?: { ID?: string } };
        if ((e.Type === "container" || e.Type === "image") && e.Action && !QUIET.test(e.Action)) {
          this.emit({ type: e.Type, action: e.Action, id: e.Actor?.ID ?? "" });
        }
      });
      stream.on("end", () => resolve());
      stream.on("close", () => resolve());
      stream.on("error", () => resolve());
    });
  }

  /** Ends the current stream (tests; a shutdown). Listeners stay and reconnect unless removed. */
  drop(): void {
    this.stream?.destroy?.();
  }
}

/** The process's one feed; it connects on the first subscription and reconnects with back-off. */
export function engineEvents(): EventFeed {
  return processWide("engine.events", () => new EventFeed());
}
