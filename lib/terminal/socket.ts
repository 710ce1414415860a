import "server-only";
import { processWide } from "@/lib/runtime";
import type { Server as HttpServer } from "node:http";
import { Server, type Namespace } from "socket.io";
import { z } from "zod";
import { audit } from "@/lib/audit";
import { callerId } from "@/lib/auth/session";
import { guardSockets } from "@/lib/auth/sockets";
import { getConfig } from "@/lib/config";
import { toAppError } from "@/lib/shared/errors";
import { CONTAINER_REF_PATTERN } from "@/lib/shared/validation";
import { LIVE_NAMESPACE, registerLive } from "@/lib/live/hub";
import { OutputPump } from "./pump";
import { ShellSession } from "./shell";

/**
 * The terminal namespace of Socket.IO, on the same port as Next.
 *
 * Client → server: `open` {container, command?, user?, cols, rows} (ack {ok, id, command} or
 * {ok:false, error}), `input` (string or bytes), `resize` {cols, rows}, `ack` (bytes the terminal
 * has rendered). Server → client: `output` (bytes), `exit` {code, reason}. One shell per socket;
 * disconnecting ends it.
 * Output passes through an OutputPump (./pump.ts): coalesced into fewer messages, and paused
 * while the browser has too much of it unrendered.
 */
export const TERMINAL_NAMESPACE = "/terminal";
const MAX_INPUT = 64 * 1024;
const MAX_SESSIONS = 64;

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
const sessions = processWide("shells.sessions", () => new Map<ShellSession, string>());

/** Attaches Socket.IO (namespaces /terminal and /live) to the HTTP server. Call after Next's request handler is attached. */
export function attachSockets(httpServer: HttpServer, token: string, options: { trustProxy?: boolean } = {}): Server {
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
  io.of("/").use((_socket, next) => next(new Error("Use the /terminal or /live namespace.")));
  registerTerminalNamespace(io.of(TERMINAL_NAMESPACE));
  registerLive(io.of(LIVE_NAMESPACE));
  return io;
}

function registerTerminalNamespace(nsp: Namespace): void {
  nsp.on("connection", (socket) => {
    const caller = callerId({ authorization: socket.request.headers.authorization, cookie: socket.request.headers.cookie });
    let session: ShellSession | undefined;
    let pump: OutputPump | undefined;

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
      const out = new OutputPump({ send: (chunk) => socket.emit("output", chunk), pause: () => s.pause(), resume: () => s.resume() });
      pump = out;
      try {
        await s.open({
          onOutput: (chunk) => out.push(chunk),
          onExit: (info) => {
            out.flush();
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

    socket.on("ack", (bytes: unknown) => pump?.ack(bytes));

    socket.on("close-shell", () => void end("closed by the user"));
    socket.on("disconnect", (reason) => void end(`disconnected (${reason})`));
  });
}

/** Ends every open shell (server shutdown). */
export async function closeAllShells(): Promise<void> {
  await Promise.all([...sessions.keys()].map((s) => s.close()));
  sessions.clear();
}

