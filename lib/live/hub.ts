import "server-only";
import type { Namespace } from "socket.io";
import { listContainers } from "@/lib/docker/containers";
import type { ContainerChanges, HostContainer } from "@/lib/shared/containers";
import type { EngineState, LiveClientEvents, LiveServerEvents } from "@/lib/shared/socket-events";
import { onAdoptionsChanged } from "@/lib/docker/adopted";
import { jobs as jobRegistry } from "@/lib/jobs";
import { engineStatus } from "@/lib/docker/engine";
import { PATIENT_TIMEOUTS_MS } from "@/lib/shared/patience";
import { engineEvents } from "@/lib/docker/events";
import { watchContainerDir } from "@/lib/tarballs/watch";
import { listVerifications, onVerificationsChanged } from "@/lib/tarballs/verifications";

/**
 * Live updates for every open page, from one source each: the engine's event stream (one per
 * server, lib/docker/events.ts), the Create Tar jobs, and the container dir. Pages get pushed
 * state over Socket.IO (namespace /live) and only fall back to polling while the socket is down.
 *
 * The events (server → page only) are typed in lib/shared/socket-events.ts (LiveServerEvents).
 * A burst of engine events costs one container list call, however many pages are open.
 */
export const LIVE_NAMESPACE = "/live";
/** Wait for more events this long: short for a lone change, longer once a second one comes. */
const SETTLE_MS = 16;
const BURST_SETTLE_MS = 40;
const MAX_DELAY_MS = 250;
const JOBS_INTERVAL_MS = 250;
const CONFIRM_MS = 500;
/** Events the engine publishes before its container list reflects them. */
const RACY_ACTIONS = /^(die|oom|kill|stop)$/;

/** Verify runs a page needs pushed: running, or ended in the last ten minutes (older ones are in the details). */
const recentVerifications = () =>
  listVerifications().filter((v) => v.phase === "running" || Date.now() - Date.parse(v.finishedAt ?? v.startedAt) < 10 * 60_000);

export type LiveNamespace = Namespace<LiveClientEvents, LiveServerEvents>;

/**
 * The container list as every page holds it: a burst of engine events is debounced into one list
 * call (never waiting more than MAX_DELAY_MS), and pages get only the rows that changed since the
 * last list sent (kept as JSON per ID).
 */
class ContainerFeed {
  private sent: Map<string, { row: HostContainer; json: string }> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private confirmTimer: NodeJS.Timeout | undefined;
  private firstAt = 0;
  private listing = false;
  private again = false;

  constructor(private readonly nsp: LiveNamespace) {}

  /** The list the others hold, so that the changes pushed next apply to it (undefined before the first). */
  get current(): HostContainer[] | undefined {
    return this.sent && [...this.sent.values()].map((e) => e.row);
  }

  /** Lists again soon: shortly for a lone change, a little later once a burst shows. */
  readonly schedule = (): void => {
    const now = Date.now();
    if (!this.timer) this.firstAt = now;
    else clearTimeout(this.timer);
    const settle = this.timer ? BURST_SETTLE_MS : SETTLE_MS;
    this.timer = setTimeout(() => void this.refresh(), Math.max(0, Math.min(settle, this.firstAt + MAX_DELAY_MS - now)));
  };

  /**
   * Docker sends `die` before its list shows the container stopped (the list view is updated after
   * the event): a list at once can still say "Up". One more list a moment later settles it.
   */
  readonly confirm = (): void => {
    this.confirmTimer ??= setTimeout(() => {
      this.confirmTimer = undefined;
      this.schedule();
    }, CONFIRM_MS);
  };

  stop(): void {
    clearTimeout(this.timer);
    clearTimeout(this.confirmTimer);
  }

  private async refresh(): Promise<void> {
    this.timer = undefined;
    if (this.listing) {
      this.again = true;
      return;
    }
    this.listing = true;
    try {
      this.publish(await listContainers({ all: true }));
    } catch {
      // The engine went away between the event and the list; the state event says so.
    } finally {
      this.listing = false;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    }
  }

  private publish(containers: HostContainer[]): void {
    const next = new Map(containers.map((row) => [row.id, { row, json: JSON.stringify(row) }]));
    const previous = this.sent;
    this.sent = next;
    if (!previous) {
      this.nsp.emit("containers", { containers });
      return;
    }
    const changes: ContainerChanges = {
      upsert: containers.filter((c) => previous.get(c.id)?.json !== next.get(c.id)!.json),
      remove: [...previous.keys()].filter((id) => !next.has(id)),
    };
    if (changes.upsert.length || changes.remove.length) this.nsp.emit("containers:changed", changes);
  }
}

export function registerLive(nsp: LiveNamespace): void {
  let engine: EngineState | undefined;
  const setEngine = (value: EngineState) => {
    engine = value;
    nsp.emit("engine", engine);
  };
  void engineStatus(PATIENT_TIMEOUTS_MS).then((s) => setEngine({ reachable: s.reachable, version: s.version }));

  const feed = new ContainerFeed(nsp);
  const unsubscribe = engineEvents().subscribe((event) => {
    if (event.type === "container" || event.type === "resync") feed.schedule();
    if (event.type === "container" && RACY_ACTIONS.test(event.action)) feed.confirm();
    if (event.type === "state") {
      if (event.connected) void engineStatus(PATIENT_TIMEOUTS_MS).then((s) => setEngine({ reachable: s.reachable, version: s.version }));
      else setEngine({ reachable: false });
    }
  });
  const stopAdoptions = onAdoptionsChanged(feed.schedule);

  // Jobs (pulls report often) and Verify runs: at most every JOBS_INTERVAL_MS each.
  const jobs = throttled(() => nsp.emit("jobs", { jobs: jobRegistry().list() }), JOBS_INTERVAL_MS);
  const verifications = throttled(() => nsp.emit("verifications", { verifications: recentVerifications() }), JOBS_INTERVAL_MS);
  // Tarballs: a hint, coalesced over 100 ms; the page re-reads what it shows.
  const dir = throttled(() => nsp.emit("tarballs"), 0, 100);
  const stopJobs = jobRegistry().onChange(jobs.ask);
  const stopVerifications = onVerificationsChanged(verifications.ask);
  const stopWatching = watchContainerDir(dir.ask);

  // With the server: nothing keeps running (or the process alive) after it closes.
  nsp.server.httpServer?.once("close", () => {
    for (const stop of [unsubscribe, stopJobs, stopAdoptions, stopWatching, stopVerifications]) stop();
    feed.stop();
    for (const t of [jobs, verifications, dir]) t.cancel();
  });

  nsp.on("connection", async (socket) => {
    // A page that connects (or reconnects after missing events) gets the current state at once.
    if (engine) socket.emit("engine", engine);
    const containers = feed.current;
    if (containers) socket.emit("containers", { containers });
    socket.emit("jobs", { jobs: jobRegistry().list() });
    socket.emit("verifications", { verifications: recentVerifications() });
    // Not the last list: something may have changed without an engine event (an adoption, say).
    // One list for however many pages connect at once.
    feed.schedule();
  });
}

/** Calls `send` at most once every `intervalMs` however often it is asked, and no sooner than `delayMs` after an ask. */
function throttled(send: () => void, intervalMs: number, delayMs = 0): { ask: () => void; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let last = 0;
  return {
    ask: () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        last = Date.now();
        send();
      }, Math.max(delayMs, last + intervalMs - Date.now()));
    },
    cancel: () => clearTimeout(timer),
  };
}
