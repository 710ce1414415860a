import type { AttachedShell, ListAck, OpenAck, ShellSummary } from "@/lib/shared/shells";
import type { ShellExit, TerminalAck, TerminalClientEvents, TerminalServerEvents, TerminalSize, WireBytes } from "@/lib/shared/socket-events";
import { TypeAhead, inputPieces, type ShellInput } from "./type-ahead";

/**
 * One shell seen from the page: the /terminal protocol as a state machine, without React or xterm.
 *
 *   connecting ─┬─► choosing ─► attaching ─► attached ─► reconnecting ─► attaching (resume) ─► attached …
 *               └────────────► attaching ─┘     │                              │
 *                                               └────────► ended ◄─────────────┘ (exit, refused, too long away)
 *
 * - connecting: the socket is not up yet (or dropped before a shell was attached).
 * - choosing: this login session has shells running in the container; the user picks one or a new one.
 * - attaching: an open or resume was sent; its answer has not come.
 * - attached: keys go to the shell.
 * - reconnecting: the connection dropped with a shell attached; it waits on the server, input is paused.
 * - ended: the shell exited, or could not be opened or resumed; nothing more is sent.
 *
 * Every key and paste made before a shell is attached is kept (TypeAhead: in order, bounded) and
 * delivered once the open or resume is answered; a refused open sends none of it anywhere. While
 * the connection is down input is refused, with a notice, rather than silently dropped.
 */
export type SessionState =
  | { phase: "connecting" }
  | { phase: "choosing"; shells: ShellSummary[] }
  | { phase: "attaching"; resuming: boolean }
  | { phase: "attached"; shell: AttachedShell; resumed: boolean }
  | { phase: "reconnecting" }
  | { phase: "ended"; failed: boolean; code: number | null; reason: string };

export type SessionPhase = SessionState["phase"];

/** What the client listens to: the server's events and the connection's own. */
export type SessionSocketEvents = TerminalServerEvents & {
  connect: () => void;
  disconnect: (reason: string) => void;
  connect_error: (err: Error) => void;
  reconnect_attempt: () => void;
};

/** The socket as the client uses it: a Socket.IO client socket (see socket-io.ts) or a test's fake. */
export interface SessionSocket {
  readonly connected: boolean;
  emit<E extends keyof TerminalClientEvents>(event: E, ...args: Parameters<TerminalClientEvents[E]>): unknown;
  on<E extends keyof SessionSocketEvents>(event: E, listener: SessionSocketEvents[E]): unknown;
  disconnect(): unknown;
}

/** Where the client's news goes: the terminal view. */
export interface SessionView {
  state(state: SessionState): void;
  output(bytes: Uint8Array): void;
  /** A resume's kept output, drawn on a clean screen (`clear` comes first). */
  replay(bytes: Uint8Array): void;
  clear(): void;
  /** A line for the terminal itself. */
  notice(text: string, tone: "info" | "warning" | "error"): void;
  /** The shell to resume after a reload (null: none). */
  remember(id: string | null): void;
  size(): TerminalSize;
}

export interface SessionOptions {
  container: string;
  /** A command line or user: a new shell is opened without offering a resume. */
  command?: string;
  user?: string;
  /** A shell to resume first (the one this tab had before a reload). */
  resumeId?: string;
  /** Type-ahead kept at most, in bytes. */
  typeAheadLimit?: number;
  now?: () => number;
}

export const TYPE_AHEAD_LIMIT = 64 * 1024;
/** The resume offer shows this many shells at most. */
const OFFERED = 3;
/** An unmount waits this long for the server to take the close before dropping the connection. */
const CLOSE_WAIT_MS = 3000;

/** The shell an answer describes, without the answer's own `ok`. */
function attachedOf(answer: Extract<OpenAck, { ok: true }>): AttachedShell {
  const { ok, ...shell } = answer;
  void ok;
  return shell;
}

const bytesOf = (data: WireBytes): Uint8Array => (data instanceof Uint8Array ? data : new Uint8Array(data));

export class ShellSessionClient {
  private current: SessionState = { phase: "connecting" };
  private readonly typeAhead: TypeAhead;
  /** The shell attached at some point: a reconnect resumes it. */
  private shellId?: string;
  private graceMs = 60_000;
  private droppedAt?: number;
  private everConnected = false;
  private resumeTried = false;
  /** Bumped on every request and drop: an answer to an older one is ignored. */
  private attempt = 0;
  private pausedNoticeShown = false;
  private readonly now: () => number;

  constructor(
    private readonly socket: SessionSocket,
    private readonly view: SessionView,
    private readonly options: SessionOptions,
  ) {
    this.typeAhead = new TypeAhead(options.typeAheadLimit ?? TYPE_AHEAD_LIMIT);
    this.now = options.now ?? Date.now;
    this.listen();
  }

  get state(): SessionState {
    return this.current;
  }

  /** A key or paste from the terminal. False when it was refused (the connection is down, type-ahead full, or the shell over). */
  input(data: ShellInput): boolean {
    switch (this.current.phase) {
      case "attached":
        if (!this.socket.connected) return this.refuseWhileDown();
        for (const piece of inputPieces(data)) this.socket.emit("input", piece);
        return true;
      case "connecting":
      case "choosing":
      case "attaching":
        if (this.typeAhead.push(data)) return true;
        this.view.notice(`Typed ahead more than ${this.typeAhead.limit / 1024} KiB before the shell was ready: what follows was not kept.`, "warning");
        return false;
      case "reconnecting":
        return this.refuseWhileDown();
      case "ended":
        return false;
    }
  }

  resize(size: TerminalSize): void {
    if (this.current.phase === "attached" && this.socket.connected) this.socket.emit("resize", size);
  }

  /** Output parsed by the terminal (flow control). */
  ack(parsed: TerminalAck): void {
    if (this.socket.connected) this.socket.emit("ack", parsed);
  }

  /** The user's answer to the resume offer: a shell to resume, or null for a new one. */
  choose(id: string | null): void {
    if (this.current.phase !== "choosing") return;
    if (id) this.resume(id, (error) => this.fail(error));
    else this.openNew();
  }

  /** "End it" on an offered shell; with none left, a new shell opens. */
  endOffered(id: string): void {
    if (this.current.phase !== "choosing") return;
    this.socket.emit("close-shell", { id }, () => {});
    const shells = this.current.shells.filter((s) => s.id !== id);
    if (shells.length === 0) this.openNew();
    else this.setState({ phase: "choosing", shells });
  }

  /** The view goes away (Close shell, a new shell): the shell ends. A reload never gets here. */
  close(): void {
    const attached = this.current.phase === "attached";
    this.current = { phase: "ended", failed: false, code: null, reason: "Closed." };
    if (!attached || !this.socket.connected) return void this.socket.disconnect();
    // Disconnect once the close is in (sent together, the close could be dropped).
    const timer = setTimeout(() => this.socket.disconnect(), CLOSE_WAIT_MS);
    this.socket.emit("close-shell", null, () => {
      clearTimeout(timer);
      this.socket.disconnect();
    });
  }

  private setState(state: SessionState): void {
    this.current = state;
    this.view.state(state);
  }

  private refuseWhileDown(): false {
    if (!this.pausedNoticeShown) {
      this.pausedNoticeShown = true;
      this.view.notice("Connection lost: input is paused until it is back (the shell keeps running).", "warning");
    }
    return false;
  }

  private listen(): void {
    const { socket } = this;
    socket.on("connect", () => this.connected());
    socket.on("disconnect", (reason) => this.dropped(reason));
    socket.on("connect_error", (err) => {
      if (this.current.phase === "ended") return;
      if (err.message === "unauthorized" || /Not logged in/.test(err.message)) {
        this.fail("Not logged in, or this page comes from another origin: reload and log in.");
      } else if (!this.everConnected) {
        this.fail(`Cannot connect to the dashboard: ${err.message}`);
      }
    });
    socket.on("reconnect_attempt", () => {
      if (this.droppedAt !== undefined && this.now() - this.droppedAt > this.graceMs) {
        this.fail("The connection was lost for longer than the shell waits; it has ended.");
      }
    });
    socket.on("output", (data) => this.current.phase !== "ended" && this.view.output(bytesOf(data)));
    socket.on("replay", (data) => this.current.phase !== "ended" && this.view.replay(bytesOf(data)));
    socket.on("exit", (info) => this.exited(info));
    socket.on("moved", () => {
      this.view.remember(null);
      this.fail("This shell was resumed in another window.");
    });
  }

  private connected(): void {
    if (this.current.phase === "ended") return;
    this.droppedAt = undefined;
    this.pausedNoticeShown = false;
    this.everConnected = true;
    if (this.shellId) {
      // Back after a dropped connection: the same shell, with what it printed meanwhile.
      return this.resume(this.shellId, (error) => this.fail(`The connection was lost and the shell could not be resumed: ${error}`));
    }
    if (this.options.resumeId && !this.resumeTried) {
      this.resumeTried = true;
      return this.resume(this.options.resumeId, () => {
        this.view.notice("The shell from before the reload has ended.", "info");
        this.view.remember(null);
        this.offerOrOpen();
      });
    }
    this.offerOrOpen();
  }

  private dropped(reason: string): void {
    this.attempt++;
    if (this.current.phase === "ended" || reason === "io client disconnect") return;
    if (reason === "io server disconnect") return this.fail("The dashboard server closed this connection.");
    // Socket.IO reconnects by itself. Before a shell was attached, the type-ahead simply waits longer.
    if (!this.shellId) return this.setState({ phase: "connecting" });
    this.droppedAt ??= this.now();
    this.setState({ phase: "reconnecting" });
    this.refuseWhileDown();
  }

  /** A new shell, unless this login session has one here to resume: then the user chooses. */
  private offerOrOpen(): void {
    if (this.options.command || this.options.user) return this.openNew();
    const attempt = ++this.attempt;
    this.socket.emit("list", { container: this.options.container }, (ack: ListAck) => {
      if (attempt !== this.attempt || this.current.phase === "ended") return;
      if (!ack.ok || ack.shells.length === 0) return this.openNew();
      this.setState({ phase: "choosing", shells: ack.shells.slice(0, OFFERED) });
    });
  }

  private openNew(): void {
    const attempt = ++this.attempt;
    this.setState({ phase: "attaching", resuming: false });
    const { container, command, user } = this.options;
    this.socket.emit("open", { container, command: command || undefined, user: user || undefined, ...this.view.size() }, (ack: OpenAck) => {
      if (attempt !== this.attempt || this.current.phase === "ended") return;
      if (ack.ok) this.attached(attachedOf(ack), false);
      else this.fail(ack.error);
    });
  }

  private resume(id: string, refused: (error: string) => void): void {
    const attempt = ++this.attempt;
    this.setState({ phase: "attaching", resuming: true });
    // What the resumed shell replays is drawn on a clean screen.
    this.view.clear();
    this.socket.emit("resume", { id, ...this.view.size() }, (ack: OpenAck) => {
      if (attempt !== this.attempt || this.current.phase === "ended") return;
      if (ack.ok) this.attached(attachedOf(ack), true);
      else refused(ack.error);
    });
  }

  private attached(shell: AttachedShell, resumed: boolean): void {
    this.shellId = shell.id;
    this.graceMs = shell.graceSeconds * 1000;
    this.view.remember(shell.id);
    this.setState({ phase: "attached", shell, resumed });
    // What was typed before: now, in order, before anything typed after.
    for (const data of this.typeAhead.take()) this.input(data);
  }

  private exited(info: ShellExit): void {
    if (this.current.phase === "ended") return;
    this.typeAhead.clear();
    this.view.remember(null);
    this.setState({ phase: "ended", failed: false, code: info.code, reason: info.reason });
    this.socket.disconnect();
    this.view.notice(`${info.reason}${info.code !== null ? ` Exit code ${info.code}.` : ""}`, "warning");
  }

  private fail(message: string): void {
    if (this.current.phase === "ended") return;
    // Nothing typed for a shell that never came is sent anywhere.
    this.typeAhead.clear();
    this.setState({ phase: "ended", failed: true, code: null, reason: message });
    this.socket.disconnect();
    this.view.notice(message, "error");
  }
}
