import "server-only";
import { processWide } from "@/lib/runtime";
import { engineEvents } from "./events";

/**
 * One engine stream per container and kind, shared by every viewer (issue 27): the first viewer
 * starts it, later ones join it, and it is closed when the last one leaves, when the container is
 * removed, or when the server stops. Each stream keeps a bounded history (the Stats chart's last
 * 60 s) for viewers who join late; nothing else is kept.
 */
export interface Viewer<T> {
  data(item: T): void;
  ended(reason: string): void;
}

/** Starts the engine stream of container `id`; returns how to close it. `end` may be called once. */
export type StreamStarter<T> = (id: string, emit: (item: T) => void, end: (reason: string) => void) => Promise<() => void>;

interface Entry<T> {
  key: string;
  id: string;
  viewers: Set<Viewer<T>>;
  history: T[];
  historySize: number;
  started: Promise<void>;
  close?: () => void;
  ended: boolean;
}

export class WatchHub {
  private readonly entries = new Map<string, Entry<unknown>>();
  private stopEvents?: () => void;
  /** Engine streams started since the process began (the tests and the bench compare it with viewers). */
  opened = 0;

  /** Engine streams open now, per kind. */
  openStreams(kind?: string): number {
    return [...this.entries.keys()].filter((k) => !kind || k.startsWith(`${kind}:`)).length;
  }

  /**
   * Joins (or starts) the stream of `kind` for container `id`. Resolves once the engine stream is
   * open, with what it holds of the past; throws what starting it threw (nobody is left joined).
   */
  async subscribe<T>(kind: string, id: string, viewer: Viewer<T>, start: StreamStarter<T>, historySize = 0): Promise<{ history: T[]; leave: () => void }> {
    const key = `${kind}:${id}`;
    let entry = this.entries.get(key) as Entry<T> | undefined;
    if (!entry) entry = this.open(key, id, start, historySize);
    entry.viewers.add(viewer);
    const leave = () => this.leave(entry, viewer);
    try {
      await entry.started;
    } catch (err) {
      leave();
      throw err;
    }
    return { history: [...entry.history], leave };
  }

  private open<T>(key: string, id: string, start: StreamStarter<T>, historySize: number): Entry<T> {
    const entry: Entry<T> = { key, id, viewers: new Set(), history: [], historySize, started: Promise.resolve(), ended: false };
    this.entries.set(key, entry as Entry<unknown>);
    this.opened++;
    this.watchRemovals();
    const emit = (item: T) => {
      if (entry.ended) return;
      if (historySize > 0) {
        entry.history.push(item);
        if (entry.history.length > historySize) entry.history.shift();
      }
      for (const v of entry.viewers) v.data(item);
    };
    entry.started = start(id, emit, (reason) => this.end(entry, reason)).then(
      (close) => {
        // Everyone left (or the container went) while the engine was answering: close it at once.
        if (entry.ended) close();
        else entry.close = close;
      },
      (err) => {
        this.forget(entry);
        throw err;
      },
    );
    return entry;
  }

  private leave<T>(entry: Entry<T>, viewer: Viewer<T>): void {
    entry.viewers.delete(viewer);
    if (entry.viewers.size === 0 && !entry.ended) {
      entry.ended = true;
      this.forget(entry);
      entry.close?.();
    }
  }

  /** Ends a stream for all its viewers (the engine ended it, or the container is gone). */
  private end<T>(entry: Entry<T>, reason: string): void {
    if (entry.ended) return;
    entry.ended = true;
    this.forget(entry);
    entry.close?.();
    for (const v of entry.viewers) v.ended(reason);
    entry.viewers.clear();
  }

  private forget(entry: Entry<unknown>): void {
    entry.ended = true;
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    if (this.entries.size === 0) {
      this.stopEvents?.();
      this.stopEvents = undefined;
    }
  }

  /** While any stream is open: a container removed ends its streams at once. */
  private watchRemovals(): void {
    this.stopEvents ??= engineEvents().subscribe((event) => {
      if (event.type !== "container" || event.action !== "destroy") return;
      for (const entry of [...this.entries.values()]) if (entry.id === event.id) this.end(entry, "The container was removed.");
    });
  }

  /** The server stops: every stream is closed and its viewers told. */
  closeAll(reason = "The server is stopping."): void {
    for (const entry of [...this.entries.values()]) this.end(entry, reason);
  }
}

/** The process-wide hub (server.ts's bundle and Next's share it). */
export function watchHub(): WatchHub {
  return processWide("watchHub", () => new WatchHub());
}
