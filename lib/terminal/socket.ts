import "server-only";
import type { Server as HttpServer } from "node:http";
import { Server, type Namespace } from "socket.io";
import { z } from "zod";
import { audit } from "@/lib/audit";
import { authorise } from "@/lib/auth/authorise";
import { sessionRevocations } from "@/lib/auth/revocation";
import { guardSockets } from "@/lib/auth/sockets";
import { getConfig } from "@/lib/config";
import { toAppError } from "@/lib/shared/errors";
import { CONTAINER_REF_PATTERN } from "@/lib/shared/validation";
import { LIVE_NAMESPACE, registerLive } from "@/lib/live/hub";
import type { ListAck, OpenAck } from "@/lib/shared/shells";
import { type LiveShell, type Owner, type ShellClient, endShellsOfRevoked, findShell, openShell, shellsOf } from "./sessions";

export { closeAllShells } from "./sessions";

/**
 * The terminal namespace of Socket.IO, on the same port as Next.
 *
 * Client → server: `open` {container, command?, user?, cols, rows} (ack {ok, id, command,
 * startedAt, scrollback, graceSeconds} or {ok:false, error}), `resume` {id, cols, rows} (the same
 * ack, then the kept output), `list` {container} (ack {ok, shells}: this login session's shells
 * there, to offer a resume), `input` (string or bytes), `resize` {cols, rows}, `ack` (bytes the
 * terminal has rendered), `close-shell` [{id}] (acked). Server → client: `output` (bytes), `replay` (bytes: the kept output,
 * first thing after a resume; not acknowledged), `exit` {code, reason}, `moved` (the shell was resumed elsewhere; this socket is dropped).
 *
 * One shell per socket. "Close shell" ends it at once; a socket that drops without it leaves the
 * shell waiting for a resume by the same login session (./sessions.ts). Output passes through an
 * OutputPump (./pump.ts): coalesced into fewer messages, and paused while the browser has too much
 * of it unrendered.
 */
export const TERMINAL_NAMESPACE = "/terminal";
const MAX_INPUT = 64 * 1024;

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
const resumeSchema = resizeSchema.extend({ id: z.uuid("Not a shell id.") });
const listSchema = openSchema.pick({ container: true });
const closeSchema = z.object({ id: z.uuid() });

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
  registerTerminalNamespace(io.of(TERMINAL_NAMESPACE), token);
  // A logout ends that session's shells, attached or waiting for a resume.
  const unsubscribe = sessionRevocations().onRevoke(endShellsOfRevoked);
  httpServer.once("close", unsubscribe);
  registerLive(io.of(LIVE_NAMESPACE));
  return io;
}

function registerTerminalNamespace(nsp: Namespace, token: string): void {
  nsp.on("connection", (socket) => {
    // The handshake was authorised (lib/auth/sockets.ts); this reads who it was, for ownership.
    const who = authorise(token, { method: "GET", headers: socket.request.headers as Record<string, string> });
    if (!who.ok) return void socket.disconnect(true);
    const owner: Owner = who.credential === "cookie" ? { id: who.id, session: { nonce: who.session.nonce, generation: who.session.generation } } : { id: who.id };
    let live: LiveShell | undefined;
    // The shell being opened: its output reaches the browser (and is acknowledged) before the open
    // completes, and an acknowledgement lost then would hold the flow control shut for good.
    let opening: LiveShell | undefined;
    const client: ShellClient = {
      send: (chunk) => socket.emit("output", chunk),
      replay: (chunk) => socket.emit("replay", chunk),
      exit: (info) => {
        live = undefined;
        socket.emit("exit", info);
      },
      movedAway: () => {
        live = undefined;
        socket.emit("moved");
        socket.disconnect();
      },
    };
    const opened = (s: LiveShell): OpenAck => {
      const config = getConfig();
      return { ok: true, id: s.id, container: s.container, command: s.command, startedAt: s.startedAt, scrollback: config.shellScrollback, graceSeconds: config.shellGraceSeconds };
    };

    socket.on("open", async (raw: unknown, ack?: unknown) => {
      const reply = (value: OpenAck) => typeof ack === "function" && ack(value);
      const parsed = openSchema.safeParse(raw);
      if (!parsed.success) return reply({ ok: false, error: parsed.error.issues[0]?.message ?? "Bad request." });
      if (live) return reply({ ok: false, error: "This connection already has a shell." });
      try {
        const s = await openShell(owner, parsed.data, client, (created) => (opening = created));
        opening = undefined;
        if (!s.over) live = s;
        audit({ session: owner.id, action: "shell.open", target: s.container, result: "ok", detail: `${s.id}: ${s.command}${parsed.data.user ? ` as ${parsed.data.user}` : ""}` });
        reply(opened(s));
        // Gone while Docker was starting it: it waits for a resume like any dropped shell.
        if (socket.disconnected) s.detach(client, "disconnected while opening");
      } catch (err) {
        opening = undefined;
        const message = toAppError(err).message;
        audit({ session: owner.id, action: "shell.open", target: parsed.data.container, result: "error", detail: message });
        reply({ ok: false, error: message });
      }
    });

    socket.on("resume", async (raw: unknown, ack?: unknown) => {
      const reply = (value: OpenAck) => typeof ack === "function" && ack(value);
      const parsed = resumeSchema.safeParse(raw);
      if (!parsed.success) return reply({ ok: false, error: parsed.error.issues[0]?.message ?? "Bad request." });
      if (live) return reply({ ok: false, error: "This connection already has a shell." });
      let s: LiveShell;
      try {
        s = findShell(owner, parsed.data.id);
      } catch (err) {
        audit({ session: owner.id, action: "shell.resume", target: parsed.data.id, result: "error", detail: toAppError(err).message });
        return reply({ ok: false, error: toAppError(err).message });
      }
      live = s;
      // The ack first, so the browser knows what the replay that follows belongs to.
      reply(opened(s));
      await s.resume(client, parsed.data);
    });

    socket.on("list", (raw: unknown, ack?: unknown) => {
      const reply = (value: ListAck) => typeof ack === "function" && ack(value);
      const parsed = listSchema.safeParse(raw);
      if (!parsed.success) return reply({ ok: false, error: parsed.error.issues[0]?.message ?? "Bad request." });
      reply({ ok: true, shells: shellsOf(owner, parsed.data.container) });
    });

    socket.on("input", (data: unknown) => {
      if ((typeof data === "string" || Buffer.isBuffer(data)) && data.length <= MAX_INPUT) live?.input(data);
    });

    socket.on("resize", (raw: unknown) => {
      const parsed = resizeSchema.safeParse(raw);
      if (parsed.success) void live?.resize(parsed.data.cols, parsed.data.rows);
    });

    socket.on("ack", (bytes: unknown) => (live ?? opening)?.ack(bytes));

    // Close shell: this connection's shell, or (with an id) one of this login session's that waits
    // for a resume, which the user chose to end rather than resume.
    // The ack lets a client disconnect only once the close is in: Socket.IO drops an event that
    // arrives together with its sender's disconnect, so "close, then disconnect at once" could
    // leave the shell waiting for a resume instead of ending it.
    socket.on("close-shell", (...args: unknown[]) => {
      const ack = args.find((a): a is () => void => typeof a === "function");
      const named = closeSchema.safeParse(args[0]);
      if (named.success && named.data.id !== live?.id) {
        try {
          void findShell(owner, named.data.id).end("closed by the user");
        } catch {
          // Gone already, or not this session's: nothing to end.
        }
      } else {
        const s = live;
        live = undefined;
        void s?.end("closed by the user");
      }
      ack?.();
    });
    socket.on("disconnect", (reason) => {
      const s = live;
      live = undefined;
      s?.detach(client, `disconnected (${reason})`);
    });
  });
}
