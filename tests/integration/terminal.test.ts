import "../helpers/isolated-env";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { io as connect, type Socket } from "socket.io-client";
import { createEnvironmentContainer } from "@/lib/docker/containers";
import { MARKER_VAR, instanceId, sweepLeftoverShells } from "@/lib/terminal/shell";
import { attachSockets } from "@/lib/terminal/socket";
import { LOCAL_IMAGE, engine, execIn, removeContainer, uniqueName } from "../helpers/docker";

const TOKEN = "integration-token-0123456789";
let server: Server;
let url: string;
let container: string;
const sockets: Socket[] = [];

before(async () => {
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

/** Opens a shell and collects its output; `until` waits for a pattern. */
async function shell(options: { cols?: number; rows?: number; command?: string; user?: string } = {}) {
  const socket = client();
  let output = Buffer.alloc(0);
  socket.on("output", (chunk: Buffer) => {
    output = Buffer.concat([output, Buffer.from(chunk)]);
    socket.emit("ack", chunk.length);
  });
  const exited = new Promise<{ code: number | null; reason: string }>((resolve) => socket.on("exit", resolve));
  const ack = await socket.timeout(10_000).emitWithAck("open", { container, cols: options.cols ?? 80, rows: options.rows ?? 24, command: options.command, user: options.user });
  const until = async (pattern: RegExp, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(output.toString("utf8"))) {
      if (Date.now() > deadline) throw new Error(`no ${pattern} in: ${JSON.stringify(output.toString("utf8").slice(-500))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return output.toString("utf8");
  };
  return { socket, ack, until, exited, type: (s: string) => socket.emit("input", s), bytes: () => output };
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
    assert.deepEqual({ ok: sh.ack.ok, command: sh.ack.command }, { ok: true, command: "auto" });
    sh.type("echo hi-$((6*7))\n");
    await sh.until(/hi-42/);
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

  it("disconnecting ends the shell and what it started; docker top shows none of it", async () => {
    const sh = await shell();
    sh.type("sleep 1234 & echo started-$((1+1))\n");
    await sh.until(/started-2/);
    assert.match(await top(), /sleep 1234/);
    assert.notEqual(await markedProcesses((sh.ack as { id: string }).id), "", "the helper sees the marker");
    sh.socket.disconnect();
    assert.ok(await eventually(async () => !/sleep 1234/.test(await top())), `still running: ${await top()}`);
    assert.equal(await markedProcesses((sh.ack as { id: string }).id), "");
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
