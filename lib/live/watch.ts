import "server-only";
import type { Namespace, Socket } from "socket.io";
import { z } from "zod";
import { audit } from "@/lib/audit";
import { authorise } from "@/lib/auth/authorise";
import { followLogs, type LogBatch } from "@/lib/docker/follow";
import { watchStats } from "@/lib/docker/stats";
import { watchHub, type Viewer } from "@/lib/docker/watch";
import { toAppError } from "@/lib/shared/errors";
import type { StatsSample } from "@/lib/shared/stats";
import type { WatchAck, WatchClientEvents, WatchKind, WatchServerEvents } from "@/lib/shared/socket-events";
import { CONTAINER_REF_PATTERN } from "@/lib/shared/validation";
import { socketBacklog } from "./socket-backlog";

/**
 * The `/watch` namespace: a page follows a container's log or watches its stats. Every viewer of
 * the same container and kind shares one engine stream (lib/docker/watch.ts). Authorised as the
 * shell's namespace is: guardSockets (lib/auth/sockets.ts) checks every Engine.IO request for the
 * session cookie from our own Origin or the bearer token, and the connection is read again here.
 */
export const WATCH_NAMESPACE = "/watch";
/** Watches one page may hold at once (a details page needs one or two). */
const MAX_WATCHES = 8;
/** Past this many unsent bytes on a socket, new log lines for it are dropped and counted. */
const MAX_BACKLOG = 1024 * 1024;

export type WatchNamespace = Namespace<WatchClientEvents, WatchServerEvents>;
type WatchSocket = Socket<WatchClientEvents, WatchServerEvents>;

const requestSchema = z.object({
  container: z.string().regex(CONTAINER_REF_PATTERN, "Not a container name."),
  kind: z.enum(["logs", "stats"]),
});

export function registerWatch(nsp: WatchNamespace, token: string): void {
  // With the server: no engine stream outlives it.
  nsp.server.httpServer?.once("close", () => watchHub().closeAll());
  nsp.on("connection", (socket) => {
    const who = authorise(token, { method: "GET", headers: socket.request.headers as Record<string, string> });
    if (!who.ok) return void socket.disconnect(true);
    const watches = new Map<string, () => void>();
    const stop = (key: string) => {
      watches.get(key)?.();
      watches.delete(key);
    };
    socket.on("watch", (raw, ack) => {
      const reply = (answer: WatchAck) => typeof ack === "function" && ack(answer);
      const parsed = requestSchema.safeParse(raw);
      if (!parsed.success) return reply({ ok: false, error: parsed.error.issues[0]?.message ?? "Bad request." });
      const { container, kind } = parsed.data;
      const key = `${kind}:${container}`;
      if (watches.has(key)) return reply({ ok: false, error: `Already watching the ${kind} of ${container}.` });
      if (watches.size >= MAX_WATCHES) return reply({ ok: false, error: `At most ${MAX_WATCHES} watches per page.` });
      // Taken before anything is awaited: a second request for the same key finds it held.
      let left = false;
      watches.set(key, () => void (left = true));
      void start(socket, container, kind).then(
        ({ leave, ack: answer }) => {
          if (left || !socket.connected) leave();
          else watches.set(key, leave);
          if (kind === "logs") audit({ session: who.id, action: "container.logs.follow", target: container, result: "ok" });
          reply(answer);
        },
        (err: unknown) => {
          watches.delete(key);
          reply({ ok: false, error: toAppError(err).message });
        },
      );
    });
    socket.on("unwatch", (raw) => {
      const parsed = requestSchema.safeParse(raw);
      if (parsed.success) stop(`${parsed.data.kind}:${parsed.data.container}`);
    });
    socket.on("disconnect", () => {
      for (const key of [...watches.keys()]) stop(key);
    });
  });
}

async function start(socket: WatchSocket, container: string, kind: WatchKind): Promise<{ leave: () => void; ack: WatchAck }> {
  const ended = (reason: string) => socket.emit("watch:ended", { container, kind, reason });
  if (kind === "stats") {
    const viewer: Viewer<StatsSample> = { data: (sample) => socket.emit("stats", { container, sample }), ended };
    const { history, leave } = await watchStats(container, viewer);
    return { leave, ack: { ok: true, container, kind, tty: false, history } };
  }
  let skipped = 0;
  const viewer: Viewer<LogBatch> = {
    data: (batch) => {
      // A page that does not read keeps nothing growing here: its lines are counted, not held.
      if (socketBacklog(socket) > MAX_BACKLOG) {
        skipped += batch.skipped + batch.lines.length;
        return;
      }
      socket.emit("log", { container, lines: batch.lines, skipped: skipped + batch.skipped });
      skipped = 0;
    },
    ended,
  };
  const { source, leave } = await followLogs(container, viewer);
  return { leave, ack: { ok: true, container, kind, tty: source.tty, history: [] } };
}
