import "server-only";
import type { Server as HttpServer } from "node:http";
import { Server, type Namespace, type Socket } from "socket.io";
import { z } from "zod";
import { audit } from "@/lib/audit";
import { authorise } from "@/lib/auth/authorise";
import { sessionRevocations } from "@/lib/auth/revocation";
import { permit } from "@/lib/auth/permit";
import { guardSockets, socketAddress } from "@/lib/auth/sockets";
import { END_OTHERS_SHELL_ROLE, SOCKET_EVENT_ROLES, roleAllows, type Who } from "@/lib/shared/roles";
import { getConfig } from "@/lib/config";
import { toAppError } from "@/lib/shared/errors";
import { CONTAINER_REF_PATTERN } from "@/lib/shared/validation";
import { LIVE_NAMESPACE, registerLive, type LiveNamespace } from "@/lib/live/hub";
import { socketBacklog } from "@/lib/live/socket-backlog";
import { WATCH_NAMESPACE, registerWatch, type WatchNamespace } from "@/lib/live/watch";
import type { ListAck, OpenAck } from "@/lib/shared/shells";
import type { TerminalClientEvents, TerminalServerEvents } from "@/lib/shared/socket-events";
import { type LiveShell, type Owner, type ShellClient, endShellsOfRevoked, findAnyShell, findShell, openShell, shellsOf } from "./sessions";

export { closeAllShells } from "./sessions";

/**
 * The terminal namespace of Socket.IO, on the same port as Next. Its events and payloads are
 * typed once for both ends in lib/shared/socket-events.ts (TerminalClientEvents, TerminalServerEvents).
 *
 * One shell per socket. "Close shell" ends it at once; a socket that drops without it leaves the
 * shell waiting for a resume by the same login session (./sessions.ts). Output passes through an
 * OutputPump (./pump.ts): coalesced into fewer messages, and paused while the browser has too much
 * of it unrendered or the socket too much of it unwritten (socketBacklog).
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
const closeSchema = z.object({ id: z.uuid(), force: z.boolean().optional() });

/** Attaches Socket.IO (namespaces /terminal, /live and /watch) to the HTTP server. Call after Next's request handler is attached. */
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
  io.of("/").use((_socket, next) => next(new Error("Use the /terminal, /live or /watch namespace.")));
  registerTerminalNamespace(io.of(TERMINAL_NAMESPACE) as unknown as TerminalNamespace, token);
  // A logout ends that session's shells, attached or waiting for a resume.
  const unsubscribe = sessionRevocations().onRevoke(endShellsOfRevoked);
  httpServer.once("close", unsubscribe);
  registerLive(io.of(LIVE_NAMESPACE) as unknown as LiveNamespace);
  registerWatch(io.of(WATCH_NAMESPACE) as unknown as WatchNamespace, token);
  return io;
}

type TerminalNamespace = Namespace<TerminalClientEvents, TerminalServerEvents>;
type TerminalSocket = Socket<TerminalClientEvents, TerminalServerEvents>;

function registerTerminalNamespace(nsp: TerminalNamespace, token: string): void {
  nsp.on("connection", (socket) => {
    // The handshake was authorised (lib/auth/sockets.ts); this reads who it was, for ownership.
    const who = authorise(token, { method: "GET", headers: socket.request.headers as Record<string, string> });
    if (!who.ok) return void socket.disconnect(true);
    const address = socketAddress(socket.request);
    const owner: Owner = { id: who.id, address, person: who.principal.name };
    if (who.credential === "cookie") owner.session = { nonce: who.session.nonce, generation: who.session.generation };
    guardEvents(socket, { id: who.id, principal: who.principal });
    new TerminalConnection(socket, owner, { id: who.id, principal: who.principal }).listen();
  });
}

/**
 * Every event of the socket asks for its role (lib/shared/roles.ts SOCKET_EVENT_ROLES) before its
 * handler runs; a refused one is answered (when it has an ack) and dropped. The connection closes
 * when the principal's role changes (lib/auth/sockets.ts), so the role read here stays true.
 */
function guardEvents(socket: TerminalSocket, who: Who): void {
  socket.use(([event, ...args], next) => {
    const need = SOCKET_EVENT_ROLES[event];
    // An event the table does not name is nobody's.
    const denied = need ? permit(who, need, `socket.${event}`, TERMINAL_NAMESPACE, `The shell event "${event}"`) : { code: "forbidden:role", error: `Unknown event ${event}.` };
    if (!denied) return next();
    const ack = args.find((a): a is (v: unknown) => void => typeof a === "function");
    ack?.({ ok: false, error: denied.error, code: denied.code });
  });
}

/** What the ack of a request is, when the client sent one: a function, or nothing to answer. */
function replier<T>(ack: unknown): (value: T) => void {
  return (value) => typeof ack === "function" && ack(value);
}

function badRequest(error: z.ZodError): { ok: false; error: string } {
  return { ok: false, error: error.issues[0]?.message ?? "Bad request." };
}

/**
 * One socket of the /terminal namespace and its one shell.
 *
 * Its state changes synchronously as each request arrives, before anything is awaited: `busy`
 * from the moment an open or resume is accepted, so that requests sent together (8 opens at once)
 * find the socket taken instead of each starting a shell nobody would end.
 */
class TerminalConnection {
  private live?: LiveShell;
  /** The shell being opened: its output reaches the browser (and is acknowledged) before the open completes. */
  private opening?: LiveShell;
  private busy = false;
  private readonly client: ShellClient;

  constructor(
    private readonly socket: TerminalSocket,
    private readonly owner: Owner,
    private readonly who: Who,
  ) {
    this.client = {
      send: (chunk) => socket.emit("output", chunk),
      backlog: () => socketBacklog(socket),
      replay: (chunk) => socket.emit("replay", chunk),
      exit: (info) => {
        this.live = undefined;
        this.busy = false;
        socket.emit("exit", info);
      },
      movedAway: () => {
        this.live = undefined;
        socket.emit("moved");
        socket.disconnect();
      },
    };
  }

  listen(): void {
    const { socket } = this;
    socket.on("open", (raw, ack) => void this.open(raw, replier<OpenAck>(ack)));
    socket.on("resume", (raw, ack) => void this.resume(raw, replier<OpenAck>(ack)));
    socket.on("list", (raw, ack) => this.list(raw, replier<ListAck>(ack)));
    socket.on("input", (data: unknown) => {
      if ((typeof data === "string" || Buffer.isBuffer(data)) && data.length <= MAX_INPUT) this.live?.input(data);
    });
    socket.on("resize", (raw) => {
      const parsed = resizeSchema.safeParse(raw);
      if (parsed.success) void this.live?.resize(parsed.data.cols, parsed.data.rows);
    });
    socket.on("ack", (bytes) => (this.live ?? this.opening)?.ack(bytes));
    socket.on("close-shell", (...args: unknown[]) => this.closeShell(args));
    socket.on("disconnect", (reason) => {
      const s = this.live;
      this.live = undefined;
      s?.detach(this.client, `disconnected (${reason})`);
    });
  }

  private attached(s: LiveShell): OpenAck {
    const config = getConfig();
    const { id, container, command, program, user, startedAt } = s.summary();
    return { ok: true, id, container, command, program, user, startedAt, scrollback: config.shellScrollback, graceSeconds: config.shellGraceSeconds };
  }

  /** Takes the socket for an open or resume, or says why not. */
  private take(): string | undefined {
    if (this.live || this.busy) return "This connection already has a shell.";
    this.busy = true;
  }

  private async open(raw: unknown, reply: (value: OpenAck) => void): Promise<void> {
    const parsed = openSchema.safeParse(raw);
    if (!parsed.success) return reply(badRequest(parsed.error));
    const taken = this.take();
    if (taken) return reply({ ok: false, error: taken });
    const { owner, socket } = this;
    try {
      const s = await openShell(owner, parsed.data, this.client, (created) => (this.opening = created));
      this.opening = undefined;
      if (!s.over) this.live = s;
      else this.busy = false;
      audit({ session: owner.id, action: "shell.open", target: s.container, result: "ok", detail: `${s.id}: ${s.program} as ${s.user}` });
      reply(this.attached(s));
      // Gone while Docker was starting it: it waits for a resume like any dropped shell.
      if (socket.disconnected) {
        this.live = undefined;
        s.detach(this.client, "disconnected while opening");
      }
    } catch (err) {
      this.opening = undefined;
      this.busy = false;
      const message = toAppError(err).message;
      audit({ session: owner.id, action: "shell.open", target: parsed.data.container, result: "error", detail: message });
      reply({ ok: false, error: message });
    }
  }

  private async resume(raw: unknown, reply: (value: OpenAck) => void): Promise<void> {
    const parsed = resumeSchema.safeParse(raw);
    if (!parsed.success) return reply(badRequest(parsed.error));
    const taken = this.take();
    if (taken) return reply({ ok: false, error: taken });
    let s: LiveShell;
    try {
      s = findShell(this.owner, parsed.data.id);
    } catch (err) {
      this.busy = false;
      audit({ session: this.owner.id, action: "shell.resume", target: parsed.data.id, result: "error", detail: toAppError(err).message });
      return reply({ ok: false, error: toAppError(err).message });
    }
    this.live = s;
    // The ack first, so the browser knows what the replay that follows belongs to.
    reply(this.attached(s));
    await s.resume(this.client, parsed.data);
  }

  private list(raw: unknown, reply: (value: ListAck) => void): void {
    const parsed = listSchema.safeParse(raw);
    if (!parsed.success) return reply(badRequest(parsed.error));
    reply({ ok: true, shells: shellsOf(this.owner, parsed.data.container) });
  }

  /**
   * Close shell: this connection's shell, or (with an id) one of this login session's that waits
   * for a resume, which the user chose to end rather than resume. The ack lets a client disconnect
   * only once the close is in: Socket.IO drops an event that arrives together with its sender's
   * disconnect, so "close, then disconnect at once" could leave the shell waiting for a resume.
   */
  private closeShell(args: unknown[]): void {
    const ack = args.find((a): a is () => void => typeof a === "function");
    const named = closeSchema.safeParse(args[0]);
    if (named.success && named.data.id !== this.live?.id) {
      try {
        void findShell(this.owner, named.data.id).end("closed by the user");
      } catch {
        // Not this session's: an admin may end anyone's, saying so (`force`); for others it is gone or not theirs.
        const other = named.data.force && roleAllows(this.who.principal.role, END_OTHERS_SHELL_ROLE) ? findAnyShell(named.data.id) : undefined;
        if (other) {
          audit({ session: this.who.id, action: "shell.end.other", target: other.container, result: "ok", detail: `${other.id} of ${other.owner.person}` });
          void other.endFor(`ended by ${this.who.principal.name} (admin)`);
        }
      }
    } else {
      const s = this.live;
      this.live = undefined;
      this.busy = false;
      void s?.end("closed by the user");
    }
    ack?.();
  }
}
