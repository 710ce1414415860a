import "server-only";
import type { Server as HttpServer } from "node:http";
import { Server, type Namespace } from "socket.io";
import { z } from "zod";
import { audit } from "@/lib/audit";
import { callerId } from "@/lib/auth/session";
import { guardSockets } from "@/lib/auth/sockets";
import { getConfig } from "@/lib/config";
import { toAppError } from "@/lib/errors";
import { CONTAINER_REF_PATTERN } from "@/lib/validation";
import { ShellSession } from "./shell";

/**
 * The terminal namespace of Socket.IO, on the same port as Next.
 *
 * Client → server: `open` {container, command?, user?, cols, rows} (ack {ok, id, command} or
 * {ok:false, error}), `input` (string or bytes), `resize` {cols, rows}, `ack` (bytes the terminal
 * has rendered). Server → client: `output` (bytes), `exit` {code, reason}. One shell per socket;
 * disconnecting ends it.
 *
 * Flow control: output beyond HIGH_WATER unrendered bytes pauses the exec stream until the
 * browser acknowledges enough of it, so a `cat` of a large file cannot flood memory or the page.
 */
export const TERMINAL_NAMESPACE = "/terminal";
const HIGH_WATER = 512 * 1024;
const LOW_WATER = 128 * 1024;
const MAX_INPUT = 64 * 1024;
const MAX_SESSIONS = 64;
/** Output coalescing: at most this many bytes per message; gather this long while streaming. */
const MAX_MESSAGE = 64 * 1024;
const GATHER_MS = 4;
const STREAMING_MS = 10;
/** A message this large, sent within STREAMING_MS, means output is streaming (not keys echoing). */
const STREAMING_BYTES = 1024;

const openSchema = z.object({
  container: z.string().regex(CONTAINER_REF_PATTERN, "Not a container name."),
  command: z.string().max(512).optional(),
  user: z
    .string()
    .max(64)
    .regex(/^[a-zA-Z0-9_.:-]*$/, "User must be a name or uid[:gid].")
    .optional(),
  cols: z.number().int().min(2).max(1000),
  rows: z.number().int().min(2).max(1000),
});
const resizeSchema = openSchema.pick({ cols: true, rows: true });

export type OpenAck = { ok: true; id: string; command: string } | { ok: false; error: string };

/** Open shells and who opened them (callerId): one client must not take every slot. */
const sessions = new Map<ShellSession, string>();

/** Attaches Socket.IO to the HTTP server. Call after Next's request handler is attached. */
export function attachTerminals(httpServer: HttpServer, token: string, options: { trustProxy?: boolean } = {}): Server {
  const io = new Server(httpServer, {
    serveClient: false,
    // Frequent pings double as the keepalive that stops proxies from dropping idle shells.
    pingInterval: 20_000,
    pingTimeout: 20_000,
    maxHttpBufferSize: 256 * 1024,
    // Leave other upgrades (Next's dev HMR) alone.
    destroyUpgrade: false,
  });
  // Every Engine.IO request and upgrade, for every namespace: the session cookie from our own
  // origin or the bearer token, and a connection only for the credential that opened it.
  guardSockets(io, token, options);
  // The default namespace has no handlers; refuse it explicitly.
  io.of("/").use((_socket, next) => next(new Error("Use the /terminal namespace.")));
  registerTerminalNamespace(io.of(TERMINAL_NAMESPACE));
  return io;
}

function registerTerminalNamespace(nsp: Namespace): void {
  nsp.on("connection", (socket) => {
    const caller = callerId({ authorization: socket.request.headers.authorization, cookie: socket.request.headers.cookie });
    let session: ShellSession | undefined;
    let unacked = 0;
    let paused = false;

    const end = async (how = "closed") => {
      const s = session;
      session = undefined;
      if (!s) return;
      sessions.delete(s);
      await s.close();
      audit({ session: caller, action: "shell.close", target: s.container, result: "ok", detail: `${s.id}: ${how}` });
    };

    socket.on("open", async (raw: unknown, ack?: unknown) => {
      const reply = (value: OpenAck) => typeof ack === "function" && ack(value);
      const parsed = openSchema.safeParse(raw);
      if (!parsed.success) return reply({ ok: false, error: parsed.error.issues[0]?.message ?? "Bad request." });
      if (session) return reply({ ok: false, error: "This connection already has a shell." });
      if (sessions.size >= MAX_SESSIONS) return reply({ ok: false, error: `Too many open shells (${MAX_SESSIONS}); close some first.` });
      const perSession = getConfig().shellsPerSession;
      if ([...sessions.values()].filter((c) => c === caller).length >= perSession) {
        return reply({ ok: false, error: `Too many open shells for this session (${perSession}); close some first.` });
      }
      const s = new ShellSession(parsed.data);
      session = s;
      sessions.set(s, caller);
      // Coalesce output: a chunk goes out on the next turn of the event loop (no added latency
      // for a key echo), but while output streams, chunks gather for a few ms into one message,
      // since per-message costs (framing, acks) dominate with a TTY's small writes.
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      let scheduled = false;
      let lastFlush = 0;
      let lastSize = 0;
      const flush = () => {
        scheduled = false;
        if (pendingBytes === 0) return;
        const chunk = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        lastFlush = performance.now();
        lastSize = chunk.length;
        unacked += chunk.length;
        socket.emit("output", chunk);
        if (!paused && unacked > HIGH_WATER) {
          paused = true;
          s.pause();
        }
      };
      try {
        await s.open({
          onOutput: (chunk) => {
            pending.push(chunk);
            pendingBytes += chunk.length;
            if (pendingBytes >= MAX_MESSAGE) return flush();
            if (scheduled) return;
            scheduled = true;
            const streaming = lastSize >= STREAMING_BYTES && performance.now() - lastFlush < STREAMING_MS;
            if (streaming) setTimeout(flush, GATHER_MS);
            else setImmediate(flush);
          },
          onExit: (info) => {
            flush();
            socket.emit("exit", info);
            void end(`${info.reason} exit code ${info.code}`);
          },
        });
        audit({ session: caller, action: "shell.open", target: s.container, result: "ok", detail: `${s.id}: ${s.command}${parsed.data.user ? ` as ${parsed.data.user}` : ""}` });
        reply({ ok: true, id: s.id, command: s.command });
      } catch (err) {
        sessions.delete(s);
        session = undefined;
        await s.close();
        const message = toAppError(err).message;
        audit({ session: caller, action: "shell.open", target: parsed.data.container, result: "error", detail: message });
        reply({ ok: false, error: message });
      }
    });

    socket.on("input", (data: unknown) => {
      if (typeof data === "string" && data.length <= MAX_INPUT) session?.write(data);
      else if (Buffer.isBuffer(data) && data.length <= MAX_INPUT) session?.write(data);
    });

    socket.on("resize", (raw: unknown) => {
      const parsed = resizeSchema.safeParse(raw);
      if (parsed.success) void session?.resize(parsed.data.cols, parsed.data.rows);
    });

    socket.on("ack", (bytes: unknown) => {
      if (typeof bytes !== "number" || !Number.isFinite(bytes) || bytes <= 0) return;
      unacked = Math.max(0, unacked - bytes);
      if (paused && unacked < LOW_WATER) {
        paused = false;
        session?.resume();
      }
    });

    socket.on("close-shell", () => void end("closed by the user"));
    socket.on("disconnect", (reason) => void end(`disconnected (${reason})`));
  });
}

/** Ends every open shell (server shutdown). */
export async function closeAllShells(): Promise<void> {
  await Promise.all([...sessions.keys()].map((s) => s.close()));
  sessions.clear();
}

