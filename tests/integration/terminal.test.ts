import "../helpers/isolated-env";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { io as connect, type Socket } from "socket.io-client";
import { createEnvironmentContainer } from "@/lib/docker/create-container";
import { SESSION_COOKIE, createSessionValue, readSession } from "@/lib/auth/session";
import { sessionRevocations } from "@/lib/auth/revocation";
import { getConfig } from "@/lib/config";
import { liveShells } from "@/lib/terminal/sessions";
import { MARKER_VAR, instanceId, sweepLeftoverShells } from "@/lib/terminal/shell";
import { attachSockets } from "@/lib/terminal/socket";
import { LOCAL_IMAGE, engine, execIn, removeContainer, uniqueName } from "../helpers/docker";

// A short grace period for dropped connections (configuration is read on first use, after this).
const GRACE_SECONDS = 3;
process.env.HAKURIVER_SHELL_GRACE_SECONDS = String(GRACE_SECONDS);
process.env.HAKURIVER_SHELL_REPLAY_KIB = "64";

const TOKEN = "integration-token-0123456789";
let server: Server;
let url: string;
let container: string;
const sockets: Socket[] = [];

before(async () => {
  assert.equal(getConfig().shellGraceSeconds, GRACE_SECONDS, "the test's grace period is in force");
  server = createServer();
  attachSockets(server, TOKEN);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  container = uniqueName("shell");
  await createEnvironmentContainer({ image: LOCAL_IMAGE, name: container });
});

after(async () => {
  for (const s of sockets) s.disconnect();
  await removeContainer(container);
  await new Promise((resolve) => server.close(resolve));
});

function client(headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }): Socket {
  const socket = connect(`${url}/terminal`, { transports: ["websocket"], extraHeaders: headers, reconnection: false, forceNew: true });
  sockets.push(socket);
  return socket;
}

/** A browser login session's headers (a signed session cookie from our own origin). */
function loginSession(): Record<string, string> {
  return { Cookie: `${SESSION_COOKIE}=${createSessionValue(TOKEN)}`, Origin: url };
}

/**
 * Opens a shell (or, with `resume`, resumes one) and collects its output; `until` waits for a
 * pattern.
 */
async function shell(options: { container?: string; cols?: number; rows?: number; command?: string; user?: string; headers?: Record<string, string>; resume?: string } = {}) {
  const socket = client(options.headers);
  let output = Buffer.alloc(0);
  socket.on("output", (chunk: Buffer) => {
    output = Buffer.concat([output, Buffer.from(chunk)]);
    socket.emit("ack", chunk.length);
  });
  let replayed = 0;
  socket.on("replay", (chunk: Buffer) => {
    replayed += chunk.length;
    output = Buffer.concat([output, Buffer.from(chunk)]);
  });
  const exited = new Promise<{ code: number | null; reason: string }>((resolve) => socket.on("exit", resolve));
  const size = { cols: options.cols ?? 80, rows: options.rows ?? 24 };
  const ack = options.resume
    ? await socket.timeout(10_000).emitWithAck("resume", { id: options.resume, ...size })
    : await socket.timeout(10_000).emitWithAck("open", { container: options.container ?? container, ...size, command: options.command, user: options.user });
  const until = async (pattern: RegExp, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(output.toString("utf8"))) {
      if (Date.now() > deadline) throw new Error(`no ${pattern} in: ${JSON.stringify(output.toString("utf8").slice(-500))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return output.toString("utf8");
  };
  return { socket, ack, until, exited, type: (s: string) => socket.emit("input", s), bytes: () => output, replayed: () => replayed };
}

/** Processes in the container that carry a shell marker (`<instance>.<boot>.<shell id>`). */
async function markedProcesses(id: string): Promise<string> {
  const { output } = await execIn(container, ["sh", "-c", `grep -l '${MARKER_VAR}=[0-9a-f]*\\.[0-9a-f]*\\.${id}' /proc/[0-9]*/environ 2>/dev/null || true`]);
  return output.trim();
}

const top = async (name = container) => JSON.stringify((await engine.getContainer(name).top()).Processes);

async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe("shells over Socket.IO on the real engine", () => {
  it("runs a command and reads its output", async () => {
    const sh = await shell();
    assert.deepEqual(
      { ok: sh.ack.ok, command: sh.ack.command, program: sh.ack.program, user: sh.ack.user },
      { ok: true, command: "auto", program: "sh", user: "root" },
      "busybox has no bash: the answer says sh, and the container's default user (none: root)",
    );
    sh.type("echo hi-$((6*7))\n");
    await sh.until(/hi-42/);
  });

  it("names what the automatic choice ran and as whom: bash where /bin/bash is, the image's user by default", async () => {
    const other = uniqueName("bash");
    try {
      const c = await engine.createContainer({ name: other, Image: LOCAL_IMAGE, Cmd: ["sleep", "infinity"], User: "1234:1234" });
      await c.start();
      // A /bin/bash of our own, which says who it is: what ran is what the answer names.
      await execIn(other, ["sh", "-c", "printf '#!/bin/sh\\necho i-am-bash\\nexec /bin/sh\\n' > /bin/bash && chmod 755 /bin/bash"], { user: "0" });
      const sh = await shell({ container: other });
      assert.deepEqual({ program: sh.ack.program, user: sh.ack.user }, { program: "bash", user: "1234:1234" });
      await sh.until(/i-am-bash/);
      sh.type("id -u\n");
      await sh.until(/\n1234\r?\n/);
      sh.socket.emit("close-shell");
    } finally {
      await removeContainer(other);
    }
  });

  it("keeps UTF-8 split across chunks intact: bytes are never decoded on the server", async () => {
    const sh = await shell();
    sh.type("printf '\\344\\270'; sleep 0.2; printf '\\255\\346\\226\\207 \\360\\237'; sleep 0.2; printf '\\230\\200\\n'\n");
    const text = await sh.until(/中文 😀/);
    assert.ok(!text.includes("\ufffd"), "no replacement characters");
  });

  it("follows the terminal size, at open and on resize", async () => {
    const sh = await shell({ cols: 100, rows: 30 });
    sh.type("stty size\n");
    await sh.until(/30 100/);
    sh.socket.emit("resize", { cols: 132, rows: 43 });
    await new Promise((r) => setTimeout(r, 200));
    sh.type("stty size\n");
    await sh.until(/43 132/);
  });

  it("exit ends the session with its exit code", async () => {
    const sh = await shell();
    sh.type("exit 7\n");
    const info = await sh.exited;
    assert.equal(info.code, 7);
    assert.equal(info.reason, "The shell ended.");
  });

  it("a dropped connection keeps the shell for the grace period; after it, docker top shows nothing of the shell", async () => {
    const sh = await shell();
    const id = (sh.ack as { id: string }).id;
    sh.type("sleep 1234 & echo started-$((1+1))\n");
    await sh.until(/started-2/);
    assert.match(await top(), /sleep 1234/);
    assert.notEqual(await markedProcesses(id), "", "the helper sees the marker");
    sh.socket.disconnect();
    await new Promise((r) => setTimeout(r, 1000));
    assert.match(await top(), /sleep 1234/, "still running within the grace period");
    assert.ok(await eventually(async () => !/sleep 1234/.test(await top()), GRACE_SECONDS * 1000 + 5000), `still running: ${await top()}`);
    assert.equal(await markedProcesses(id), "");
    const late = await shell({ resume: id });
    assert.deepEqual(late.ack, { ok: false, error: "That shell has ended (or was opened by another login session)." });
  });

  it("Close ends a shell opened as uid 1000 and what it started (root cannot read its environment)", async () => {
    const sh = await shell({ user: "1000" });
    sh.type("id -u; sleep 1357 & echo started-$((2+2))\n");
    await sh.until(/started-4/);
    assert.match(await top(), /sleep 1357/);
    const before = await engine.getContainer(container).top({ ps_args: "-eo uid,pid,args" });
    assert.ok(before.Processes.some((row: string[]) => row[0] === "1000" && /sleep 1357/.test(row[2])), "runs as uid 1000");
    sh.socket.emit("close-shell");
    assert.ok(await eventually(async () => !/sleep 1357/.test(await top())), `still running: ${await top()}`);
    // Numeric uids: docker top names users from the host's passwd.
    const asUser = async () => (await engine.getContainer(container).top({ ps_args: "-eo uid,pid,args" })).Processes.filter((row: string[]) => row[0] === "1000");
    assert.ok(await eventually(async () => (await asUser()).length === 0), `uid 1000 still runs: ${JSON.stringify(await asUser())}`);
  });

  it("the start-up sweep ends only this dashboard's shells from earlier runs: another instance's and this run's stay", async () => {
    const sh = await shell();
    sh.type("sleep 2468 & echo started-$((4+4))\n");
    await sh.until(/started-8/);
    // Another dashboard on this engine (its own data dir, so its own instance id) starts up and sweeps.
    await sweepLeftoverShells({ instance: "0123456789abcdef0123" });
    // And this dashboard's own sweep must spare the shells this very run opened.
    await sweepLeftoverShells();
    await new Promise((r) => setTimeout(r, 700));
    assert.match(await top(), /sleep 2468/, "the shell survived both sweeps");
    sh.socket.emit("close-shell");
    assert.ok(await eventually(async () => !/sleep 2468/.test(await top())), `still running: ${await top()}`);
    assert.match(instanceId(), /^[0-9a-f]{24}$/);
  });

  it("large output is delivered in full with flow control", async () => {
    const sh = await shell();
    sh.type("yes 0123456789 | head -n 200000 | wc -l; echo done-$((2*3))\n");
    await sh.until(/done-6/, 30_000);
    const lines = 200_000;
    assert.match(sh.bytes().toString(), new RegExp(`${lines}`));
    sh.type("yes abcdefghij | head -c 4000000; echo; echo end-$((3*3))\n");
    await sh.until(/end-9/, 60_000);
    assert.ok(sh.bytes().length > 4_000_000);
  });

  it("reports a stopped container, a missing shell command and a missing user", async () => {
    const missing = await client().timeout(10_000).emitWithAck("open", { container: "t-no-such-container", cols: 80, rows: 24 });
    assert.deepEqual(missing, { ok: false, error: "Container t-no-such-container was not found." });
    const noCmd = await shell({ command: "/bin/zsh" });
    const info = await noCmd.exited;
    assert.equal(info.reason, `/bin/zsh was not found in ${container}.`);
    assert.ok(info.code === 126 || info.code === 127, String(info.code));
    const noUser = client();
    const userExit = new Promise<{ reason: string }>((resolve) => noUser.on("exit", resolve));
    await noUser.timeout(10_000).emitWithAck("open", { container, cols: 80, rows: 24, user: "nobody-here" });
    assert.equal((await userExit).reason, `User nobody-here does not exist in ${container}.`);
    const bad = await client().timeout(10_000).emitWithAck("open", { container, cols: 0, rows: 24 });
    assert.equal(bad.ok, false);
  });

  it("says so when the container stops under an open shell, and refuses a stopped container", async () => {
    const other = uniqueName("stopping");
    await createEnvironmentContainer({ image: LOCAL_IMAGE, name: other });
    try {
      const socket = client();
      const exited = new Promise<{ reason: string }>((resolve) => socket.on("exit", resolve));
      const ack = await socket.timeout(10_000).emitWithAck("open", { container: other, cols: 80, rows: 24 });
      assert.equal(ack.ok, true);
      await engine.getContainer(other).stop({ t: 2 });
      assert.equal((await exited).reason, `Container ${other} stopped.`);
      const again = await client().timeout(10_000).emitWithAck("open", { container: other, cols: 80, rows: 24 });
      assert.deepEqual(again, { ok: false, error: `Container ${other} is not running; start it first.` });
    } finally {
      await removeContainer(other);
    }
  });

  it("refuses handshakes without a session, with a wrong token, or from a foreign Origin", async () => {
    const refused = (headers: Record<string, string>) =>
      new Promise<string>((resolve) => {
        const s = client(headers);
        s.on("connect", () => resolve("connected"));
        s.on("connect_error", (err) => resolve(err.message));
      });
    assert.notEqual(await refused({}), "connected");
    assert.notEqual(await refused({ Authorization: "Bearer wrong-token-000000000" }), "connected");
    assert.notEqual(await refused({ Authorization: `Bearer ${TOKEN}`, Origin: "http://evil.example" }), "connected");
    assert.equal(await refused({ Authorization: `Bearer ${TOKEN}` }), "connected");
  });
});

describe("a shell outlives its connection (reload, network loss) for the grace period", () => {
  const idOf = (sh: { ack: unknown }) => (sh.ack as { id: string }).id;
  /** The shell's own PID, as the shell says it. */
  const pidOf = async (sh: Awaited<ReturnType<typeof shell>>, tag: string) => {
    sh.type(`echo ${tag}-pid-$$-end\n`);
    const text = await sh.until(new RegExp(`${tag}-pid-(\\d+)-end`));
    return new RegExp(`${tag}-pid-(\\d+)-end`).exec(text)![1];
  };

  it("resuming within the grace period replays the output (also what came while away) and reaches the same process", async () => {
    const headers = loginSession();
    const first = await shell({ headers });
    const pid = await pidOf(first, "first");
    first.type("echo before-$((20+1)); (sleep 1; echo during-$((30+2))) &\n");
    await first.until(/before-21/);
    first.socket.disconnect();
    await new Promise((r) => setTimeout(r, 1500)); // the background echo runs while nobody is attached

    const again = await shell({ headers, resume: idOf(first), cols: 101, rows: 33 });
    assert.equal(again.ack.ok, true, JSON.stringify(again.ack));
    assert.equal(idOf(again), idOf(first));
    const replayed = await again.until(/during-32/);
    assert.match(replayed, /before-21/, "the output from before the drop is replayed");
    assert.equal(await pidOf(again, "again"), pid, "the same shell process");
    again.type("stty size\n");
    await again.until(/33 101/);
    again.socket.emit("close-shell");
  });

  it("the replay is bounded: only the last HAKURIVER_SHELL_REPLAY_KIB come back", async () => {
    const headers = loginSession();
    const first = await shell({ headers });
    first.socket.disconnect();
    await new Promise((r) => setTimeout(r, 300));
    // 400 KiB printed while nobody is attached, then a marker.
    const live = liveShells().find((s) => s.id === idOf(first))!;
    live.input("yes 0123456789abcdef | head -c 409600; echo; echo tail-$((6*6))\n");
    assert.ok(await eventually(async () => live.replayBytes === 64 * 1024, 10_000), `replay holds ${live.replayBytes} bytes`);
    await new Promise((r) => setTimeout(r, 300));
    const again = await shell({ headers, resume: idOf(first) });
    await again.until(/tail-36/);
    // What the resume replayed (output still coming after it is live output, not replay).
    assert.ok(again.replayed() > 60 * 1024 && again.replayed() <= 64 * 1024, `replayed ${again.replayed()} bytes`);
    again.socket.emit("close-shell");
  });

  it("Close during the grace period ends the shell and what it started at once", async () => {
    const headers = loginSession();
    const sh = await shell({ headers });
    sh.type("sleep 2345 & echo started-$((5+5))\n");
    await sh.until(/started-10/);
    sh.socket.disconnect();
    await new Promise((r) => setTimeout(r, 300));
    // Opening Shell again: the offer lists it; the user ends it instead of resuming.
    const other = client(headers);
    const listed = await other.timeout(10_000).emitWithAck("list", { container });
    assert.deepEqual(
      listed.shells.map((s: { id: string; attached: boolean }) => [s.id, s.attached]),
      [[idOf(sh), false]],
    );
    const closedAt = Date.now();
    other.emit("close-shell", { id: idOf(sh) });
    assert.ok(await eventually(async () => !/sleep 2345/.test(await top()), 5000), `still running: ${await top()}`);
    assert.ok(Date.now() - closedAt < GRACE_SECONDS * 1000, `ended after ${Date.now() - closedAt} ms: not at once`);

    // And Close after a resume, likewise.
    const resumed = await shell({ headers });
    resumed.type("sleep 2346 & echo started-$((5+6))\n");
    await resumed.until(/started-11/);
    resumed.socket.disconnect();
    const back = await shell({ headers, resume: idOf(resumed) });
    assert.equal(back.ack.ok, true);
    const at = Date.now();
    back.socket.emit("close-shell");
    assert.ok(await eventually(async () => !/sleep 2346/.test(await top()), 5000), `still running: ${await top()}`);
    assert.ok(Date.now() - at < GRACE_SECONDS * 1000);
  });

  it("only the login session that opened it can resume, list or end it; a logout ends it at once", async () => {
    const owner = loginSession();
    const sh = await shell({ headers: owner });
    sh.type("sleep 3456 & echo started-$((7+7))\n");
    await sh.until(/started-14/);
    sh.socket.disconnect();
    await new Promise((r) => setTimeout(r, 300));
    const refused = { ok: false, error: "That shell has ended (or was opened by another login session)." };
    for (const [who, headers] of [
      ["another login session", loginSession()],
      ["the bearer token", { Authorization: `Bearer ${TOKEN}` }],
    ] as const) {
      const thief = await shell({ headers, resume: idOf(sh) });
      assert.deepEqual(thief.ack, refused, who);
      const listed = await client(headers).timeout(10_000).emitWithAck("list", { container });
      assert.equal(listed.ok, true);
      assert.ok(!listed.shells.some((s: { id: string }) => s.id === idOf(sh)), `${who} is offered the shell`);
      client(headers).emit("close-shell", { id: idOf(sh) });
    }
    await new Promise((r) => setTimeout(r, 1000));
    assert.match(await top(), /sleep 3456/, "the others' close did not end it");

    // The owner can, even after the others tried.
    const back = await shell({ headers: owner, resume: idOf(sh) });
    assert.equal(back.ack.ok, true);
    back.socket.disconnect();
    await new Promise((r) => setTimeout(r, 300));
    // Logging out ends the session's shells at once, not after the grace period.
    const session = readSession(TOKEN, decodeURIComponent(owner.Cookie.split("=")[1]))!;
    const at = Date.now();
    sessionRevocations().revoke(session);
    assert.ok(await eventually(async () => !/sleep 3456/.test(await top()), 5000), `still running: ${await top()}`);
    assert.ok(Date.now() - at < GRACE_SECONDS * 1000);
  });

  it("a second window resuming the shell takes it over; the first is told", async () => {
    const headers = loginSession();
    const first = await shell({ headers });
    const moved = new Promise<void>((resolve) => first.socket.on("moved", () => resolve()));
    const second = await shell({ headers, resume: idOf(first) });
    assert.equal(second.ack.ok, true);
    await moved;
    second.type("echo moved-$((8*8))\n");
    await second.until(/moved-64/);
    second.socket.emit("close-shell");
  });

  it("a shell that ends while nobody is attached reports its exit to the resume", async () => {
    const headers = loginSession();
    const sh = await shell({ headers });
    sh.type("sleep 1; echo bye-$((9*9)); exit 3\n");
    await new Promise((r) => setTimeout(r, 100));
    sh.socket.disconnect();
    await new Promise((r) => setTimeout(r, 1800));
    const back = await shell({ headers, resume: idOf(sh) });
    assert.equal(back.ack.ok, true);
    await back.until(/bye-81/);
    assert.deepEqual(await back.exited, { code: 3, reason: "The shell ended." });
    const gone = await shell({ headers, resume: idOf(sh) });
    assert.equal(gone.ack.ok, false);
  });
});
