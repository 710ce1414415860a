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

export function registerLive(nsp: LiveNamespace): void {
  let engine: EngineState | undefined;
  const setEngine = (value: EngineState) => {
    engine = value;
    nsp.emit("engine", engine);
  };
  void engineStatus(PATIENT_TIMEOUTS_MS).then((s) => setEngine({ reachable: s.reachable, version: s.version }));

  // Containers: debounce a burst into one list call, never waiting more than MAX_DELAY_MS.
  // What every connected page holds: the last list sent, as JSON per ID (to see what changed).
  let sent: Map<string, { row: HostContainer; json: string }> | undefined;
  const publish = (containers: HostContainer[]) => {
    const next = new Map(containers.map((row) => [row.id, { row, json: JSON.stringify(row) }]));
    if (!sent) {
      sent = next;
      nsp.emit("containers", { containers });
      return;
    }
    const previous = sent;
    const changes: ContainerChanges = {
      upsert: containers.filter((c) => previous.get(c.id)?.json !== next.get(c.id)!.json),
      remove: [...previous.keys()].filter((id) => !next.has(id)),
    };
    sent = next;
    if (changes.upsert.length || changes.remove.length) nsp.emit("containers:changed", changes);
  };
  let timer: NodeJS.Timeout | undefined;
  let firstAt = 0;
  let listing = false;
  let again = false;
  const refresh = async () => {
    timer = undefined;
    if (listing) {
      again = true;
      return;
    }
    listing = true;
    try {
      publish(await listContainers({ all: true }));
    } catch {
      // The engine went away between the event and the list; the state event says so.
    } finally {
      listing = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  };
  const schedule = () => {
    const now = Date.now();
    if (!timer) firstAt = now;
    else clearTimeout(timer);
    const settle = timer ? BURST_SETTLE_MS : SETTLE_MS;
    timer = setTimeout(refresh, Math.max(0, Math.min(settle, firstAt + MAX_DELAY_MS - now)));
  };

  // Docker sends `die` before its list shows the container stopped (the list view is updated after
  // the event): a list at once can still say "Up". One more list a moment later settles it.
  let confirmTimer: NodeJS.Timeout | undefined;
  const confirm = () => {
    confirmTimer ??= setTimeout(() => {
      confirmTimer = undefined;
      schedule();
    }, CONFIRM_MS);
  };

  const unsubscribe = engineEvents().subscribe((event) => {
    if (event.type === "container" || event.type === "resync") schedule();
    if (event.type === "container" && RACY_ACTIONS.test(event.action)) confirm();
    if (event.type === "state") {
      if (event.connected) void engineStatus(PATIENT_TIMEOUTS_MS).then((s) => setEngine({ reachable: s.reachable, version: s.version }));
      else setEngine({ reachable: false });
    }
  });

  const stopAdoptions = onAdoptionsChanged(schedule);

  // Jobs, creations (pulls report often) and Verify runs: at most every JOBS_INTERVAL_MS each.
  const jobs = throttled(() => nsp.emit("jobs", { jobs: jobRegistry().list() }), JOBS_INTERVAL_MS);
  const verifications = throttled(() => nsp.emit("verifications", { verifications: recentVerifications() }), JOBS_INTERVAL_MS);
  // Tarballs: a hint, coalesced over 100 ms; the page re-reads what it shows.
  const dir = throttled(() => nsp.emit("tarballs"), 0, 100);
  const stopJobs = jobRegistry().onChange(jobs.ask);
  const stopVerifications = onVerificationsChanged(verifications.ask);
  const stopWatching = watchContainerDir(dir.ask);

  // With the server: nothing keeps running (or the process alive) after it closes.
  nsp.server.httpServer?.once("close", () => {
    unsubscribe();
    stopJobs();
    stopAdoptions();
    stopWatching();
    stopVerifications();
    clearTimeout(timer);
    clearTimeout(confirmTimer);
    for (const t of [jobs, verifications, dir]) t.cancel();
  });

  nsp.on("connection", async (socket) => {
    // A page that connects (or reconnects after missing events) gets the current state at once.
    if (engine) socket.emit("engine", engine);
    // The list the others hold, so that the changes pushed next apply to it.
    if (sent) socket.emit("containers", { containers: [...sent.values()].map((e) => e.row) });
    socket.emit("jobs", { jobs: jobRegistry().list() });
    socket.emit("verifications", { verifications: recentVerifications() });
    // Not the last list: something may have changed without an engine event (an adoption, say).
    // One list for however many pages connect at once.
    schedule();
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
