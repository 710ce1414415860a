import assert from "node:assert/strict";
import { describe, it } from "node:test";
import headless from "@xterm/headless";
import { ShellSessionClient, type SessionSocket, type SessionSocketEvents, type SessionState, type SessionView } from "@/components/terminal/session-client";
import { TypeAhead, inputPieces } from "@/components/terminal/type-ahead";
import { guardReplayQueries } from "@/components/terminal/xterm-patches";
import type { AttachedShell, OpenAck, ShellSummary } from "@/lib/shared/shells";

/** A socket that records what the client emits and lets the test answer and fire events. */
class FakeSocket implements SessionSocket {
  connected = false;
  sent: Array<{ event: string; args: unknown[] }> = [];
  private listeners = new Map<string, Array<(...args: unknown[]) => void>>();

  emit(event: string, ...args: unknown[]): void {
    this.sent.push({ event, args });
  }
  on<E extends keyof SessionSocketEvents>(event: E, listener: SessionSocketEvents[E]): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener as (...args: unknown[]) => void]);
  }
  disconnect(): void {
    if (!this.connected) return;
    this.connected = false;
    this.fire("disconnect", "io client disconnect");
  }
  fire(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) l(...args);
  }
  connect(): void {
    this.connected = true;
    this.fire("connect");
  }
  drop(): void {
    this.connected = false;
    this.fire("disconnect", "transport close");
  }
  /** Input the shell would have received, in order. */
  inputs(): string[] {
    return this.sent.filter((s) => s.event === "input").map((s) => String(s.args[0]));
  }
  /** Answers the last `event` request with `answer`. */
  answer(event: string, answer: unknown): void {
    const request = this.sent.filter((s) => s.event === event).at(-1);
    assert.ok(request, `a ${event} was sent`);
    (request.args.at(-1) as (a: unknown) => void)(answer);
  }
  count(event: string): number {
    return this.sent.filter((s) => s.event === event).length;
  }
}

class FakeView implements SessionView {
  states: SessionState[] = [];
  notices: string[] = [];
  remembered: Array<string | null> = [];
  output(): void {}
  replay(): void {}
  clear(): void {}
  state(state: SessionState): void {
    this.states.push(state);
  }
  notice(text: string): void {
    this.notices.push(text);
  }
  remember(id: string | null): void {
    this.remembered.push(id);
  }
  size() {
    return { cols: 80, rows: 24 };
  }
  get phase() {
    return this.states.at(-1)?.phase;
  }
}

const shell = (id = "11111111-1111-4111-8111-111111111111"): AttachedShell => ({
  id,
  container: "box",
  command: "auto",
  program: "sh",
  user: "root",
  startedAt: 1_700_000_000_000,
  scrollback: 1000,
  graceSeconds: 60,
});
const opened = (id?: string): OpenAck => ({ ok: true, ...shell(id) });
const summary = (id: string): ShellSummary => ({ id, container: "box", command: "auto", program: "bash", user: "root", startedAt: 1, attached: false });

function setup(options: { resumeId?: string; typeAheadLimit?: number; command?: string; now?: () => number } = {}) {
  const socket = new FakeSocket();
  const view = new FakeView();
  const client = new ShellSessionClient(socket, view, { container: "box", ...options });
  return { socket, view, client };
}

/** Connects and gets to an attached new shell (no shells to offer). */
function attach(t: ReturnType<typeof setup>) {
  t.socket.connect();
  t.socket.answer("list", { ok: true, shells: [] });
  t.socket.answer("open", opened());
  assert.equal(t.view.phase, "attached");
}

describe("the shell session client (type-ahead and the protocol)", () => {
  it("delivers keys typed before the shell is attached once, in order, right after the open is answered", () => {
    const t = setup();
    assert.equal(t.client.input("ec"), true, "kept while connecting");
    t.socket.connect();
    assert.equal(t.client.input("h"), true, "kept while the resume offer is asked for");
    t.socket.answer("list", { ok: true, shells: [] });
    assert.equal(t.view.phase, "attaching");
    t.client.input("o hi\r");
    assert.deepEqual(t.socket.inputs(), [], "nothing is sent before the shell is attached");
    t.socket.answer("open", opened());
    assert.deepEqual(t.socket.inputs(), ["ec", "h", "o hi\r"]);
    t.client.input("x");
    assert.deepEqual(t.socket.inputs(), ["ec", "h", "o hi\r", "x"], "typed after attach goes after, straight through");
    assert.deepEqual(t.view.remembered, [shell().id]);
  });

  it("sends nothing typed ahead anywhere when the open fails, and takes no more input", () => {
    const t = setup();
    t.socket.connect();
    t.client.input("rm -rf /tmp/x\r");
    t.socket.answer("list", { ok: true, shells: [] });
    t.socket.answer("open", { ok: false, error: "Container box is not running; start it first." });
    assert.deepEqual(t.socket.inputs(), []);
    assert.deepEqual(t.view.states.at(-1), { phase: "ended", failed: true, code: null, reason: "Container box is not running; start it first." });
    assert.equal(t.client.input("again\r"), false);
    assert.deepEqual(t.socket.inputs(), []);
    assert.equal(t.socket.connected, false, "the connection is closed");
  });

  it("keeps at most 64 KiB: a paste that does not fit is refused whole, with a notice, and so is what follows", () => {
    const t = setup();
    t.socket.connect();
    const first = "a".repeat(60 * 1024);
    assert.equal(t.client.input(first), true);
    assert.equal(t.client.input("b".repeat(8 * 1024)), false);
    assert.equal(t.client.input("c"), false, "nothing lands after the gap");
    assert.equal(t.view.notices.length, 2);
    assert.match(t.view.notices[0], /more than 64 KiB.*not kept/);
    t.socket.answer("list", { ok: true, shells: [] });
    t.socket.answer("open", opened());
    assert.equal(t.socket.inputs().join(""), first, "what fitted is delivered, nothing else");
  });

  it("counts the cap in UTF-8 bytes, as the shell receives them", () => {
    const q = new TypeAhead(10);
    assert.equal(q.push("中文"), true); // 6 bytes
    assert.equal(q.push("中文"), false); // 12 > 10
    assert.equal(q.size, 6);
  });

  it("refuses keys while the connection is down, says so, and resumes the same shell when it is back", () => {
    const t = setup();
    attach(t);
    t.socket.drop();
    assert.equal(t.view.phase, "reconnecting");
    assert.equal(t.client.input("lost?"), false);
    assert.deepEqual(t.socket.inputs(), []);
    assert.ok(t.view.notices.some((n) => /input is paused/.test(n)), `notices: ${t.view.notices}`);
    t.socket.connect();
    const resume = t.socket.sent.at(-1)!;
    assert.equal(resume.event, "resume");
    assert.equal((resume.args[0] as { id: string }).id, shell().id);
    t.client.input("back");
    t.socket.answer("resume", opened());
    assert.deepEqual(t.view.states.at(-1), { phase: "attached", shell: shell(), resumed: true });
    assert.deepEqual(t.socket.inputs(), ["back"], "typed while the resume was on its way: delivered after it");
  });

  it("ends the shell when the connection was lost for longer than the grace period", () => {
    let now = 0;
    const t = setup({ now: () => now });
    attach(t);
    t.socket.drop();
    now = 61_000;
    t.socket.fire("reconnect_attempt");
    assert.equal(t.view.phase, "ended");
    assert.match(t.view.notices.at(-1)!, /longer than the shell waits/);
  });

  it("offers this session's running shells, keeps what is typed meanwhile, and gives it to the one chosen", () => {
    const t = setup();
    t.socket.connect();
    const id = "22222222-2222-4222-8222-222222222222";
    t.socket.answer("list", { ok: true, shells: [summary(id), summary("b"), summary("c"), summary("d")] });
    const choosing = t.view.states.at(-1) as Extract<SessionState, { phase: "choosing" }>;
    assert.equal(choosing.phase, "choosing");
    assert.equal(choosing.shells.length, 3, "three at most");
    t.client.input("ls\r");
    assert.equal(t.socket.count("open"), 0);
    t.client.choose(id);
    t.socket.answer("resume", opened(id));
    assert.deepEqual(t.socket.inputs(), ["ls\r"]);
  });

  it("opens a new shell when every offered one was ended", () => {
    const t = setup();
    t.socket.connect();
    t.socket.answer("list", { ok: true, shells: [summary("a")] });
    t.client.endOffered("a");
    assert.deepEqual(t.socket.sent.find((s) => s.event === "close-shell")?.args[0], { id: "a" });
    assert.equal(t.socket.count("open"), 1);
  });

  it("ignores an answer that comes for a request made before the connection dropped", () => {
    const t = setup();
    t.socket.connect();
    t.socket.answer("list", { ok: true, shells: [] });
    const staleOpen = t.socket.sent.find((s) => s.event === "open")!;
    t.socket.drop();
    assert.equal(t.view.phase, "connecting", "no shell yet: back to connecting, type-ahead kept");
    t.client.input("kept");
    t.socket.connect();
    (staleOpen.args.at(-1) as (a: OpenAck) => void)(opened());
    assert.notEqual(t.view.phase, "attached");
    assert.deepEqual(t.socket.inputs(), []);
    t.socket.answer("list", { ok: true, shells: [] });
    t.socket.answer("open", opened());
    assert.deepEqual(t.socket.inputs(), ["kept"]);
  });

  it("tries the shell from before a reload first, and offers or opens when it has ended", () => {
    const t = setup({ resumeId: "33333333-3333-4333-8333-333333333333" });
    t.socket.connect();
    assert.equal(t.socket.sent[0].event, "resume");
    t.client.input("x");
    t.socket.answer("resume", { ok: false, error: "That shell has ended." });
    assert.match(t.view.notices.join("\n"), /before the reload has ended/);
    assert.deepEqual(t.view.remembered, [null]);
    t.socket.answer("list", { ok: true, shells: [] });
    t.socket.answer("open", opened());
    assert.deepEqual(t.socket.inputs(), ["x"]);
  });

  it("opens at once with a command or user (no offer), and ends with the shell's exit", () => {
    const t = setup({ command: "/bin/sh" });
    t.socket.connect();
    assert.equal(t.socket.count("list"), 0);
    t.socket.answer("open", opened());
    t.socket.fire("exit", { code: 3, reason: "The shell ended." });
    assert.deepEqual(t.view.states.at(-1), { phase: "ended", failed: false, code: 3, reason: "The shell ended." });
    assert.deepEqual(t.view.remembered, [shell().id, null]);
    assert.equal(t.client.input("x"), false);
  });

  it("sends a paste larger than one message in pieces, in order, never splitting a character", () => {
    const t = setup();
    attach(t);
    const paste = "😀".repeat(20_000) + "end\r";
    t.client.input(paste);
    const pieces = t.socket.inputs();
    assert.ok(pieces.length > 1);
    assert.equal(pieces.join(""), paste);
    for (const p of pieces) assert.ok(!/^[\udc00-\udfff]/.test(p) && !/[\ud800-\udbff]$/.test(p), "no half character at an edge");
    assert.deepEqual(inputPieces("short"), ["short"]);
  });

  it("closes an attached shell by asking the server first, then drops the connection", () => {
    const t = setup();
    attach(t);
    t.client.close();
    assert.equal(t.socket.connected, true, "waits for the close to be in");
    t.socket.answer("close-shell", undefined);
    assert.equal(t.socket.connected, false);
  });
});

describe("the replay's queries are not answered into the shell", () => {
  const { Terminal } = headless;

  it("swallows what xterm would answer (cursor position, device attributes, colours) only while active", async () => {
    const term = new Terminal({ allowProposedApi: true, cols: 80, rows: 24 });
    const answers: string[] = [];
    term.onData((d) => answers.push(d));
    const guard = guardReplayQueries(term);
    const queries = "\x1b[6n\x1b[c\x1b[>c\x1b[5n\x1b]11;?\x07\x1b[?1$p";
    guard.active = true;
    await new Promise<void>((r) => term.write(`old prompt ${queries}\r\n`, r));
    assert.equal(answers.length, 0, `nothing answered during the replay: ${JSON.stringify(answers)}`);
    assert.match(term.buffer.active.getLine(0)!.translateToString(true), /old prompt/, "the text itself is drawn");
    guard.active = false;
    await new Promise<void>((r) => term.write(queries, r));
    assert.ok(answers.some((a) => /\x1b\[\d+;\d+R/.test(a)), `answers after: ${JSON.stringify(answers)}`);
    assert.ok(answers.some((a) => a.startsWith("\x1b[?")), "device attributes answered again");
    // A colour set (no "?") passes even while active.
    guard.active = true;
    await new Promise<void>((r) => term.write("\x1b]11;#102030\x07", r));
    guard.dispose();
    term.dispose();
  });
});
