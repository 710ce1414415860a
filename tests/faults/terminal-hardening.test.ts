import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { after, describe, it } from "node:test";
import { io as connect, type Socket } from "socket.io-client";
import { LOCAL_IMAGE, engine, execIn, removeContainer, removeImage, uniqueName } from "../helpers/docker";
import { createViaApi, loginCookie, startServer, waitFor, type TestServer } from "../helpers/server";

/**
 * Shell clean-up under attack from inside the container and from one greedy client, on the
 * production server and the real engine (issue 10, findings 3, 4 and 9; issue 13, item 4).
 */

const made: string[] = [];
const servers: TestServer[] = [];
const sockets: Socket[] = [];
after(async () => {
  for (const s of sockets) s.disconnect();
  for (const s of servers) await s.stop().catch(() => {});
  for (const name of made) {
    await removeContainer(name);
    await removeImage(`hakuriver/${name}:base`);
  }
});

async function server(env: Record<string, string> = {}): Promise<TestServer> {
  const s = await startServer(env);
  servers.push(s);
  return s;
}

async function environment(s: TestServer, prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  made.push(name);
  await createViaApi(s, name, LOCAL_IMAGE);
  return name;
}

interface Shell {
  socket: Socket;
  ack: { ok: boolean; id?: string; error?: string };
  until: (pattern: RegExp) => Promise<void>;
  type: (text: string) => void;
}

/**
 * Opens a shell through the server's socket; `headers` default to the bearer token. `from`: the
 * client's own address (any of 127/8: the server, on 127.0.0.1, sees it as another client).
 */
async function shell(s: TestServer, container: string, options: { user?: string; headers?: Record<string, string>; from?: string } = {}): Promise<Shell> {
  // engine.io-client hands localAddress on to ws in Node; its types do not list it.
  const bind: object = options.from ? { localAddress: options.from } : {};
  const socket = connect(`${s.url}/terminal`, { transports: ["websocket"], extraHeaders: options.headers ?? s.bearer, reconnection: false, forceNew: true, ...bind });
  sockets.push(socket);
  let output = "";
  socket.on("output", (c: Buffer) => {
    output += Buffer.from(c).toString();
    socket.emit("ack", c.length);
  });
  const ack = await socket.timeout(15_000).emitWithAck("open", { container, cols: 80, rows: 24, user: options.user });
  return {
    socket,
    ack,
    until: async (pattern) => {
      await waitFor(async () => (pattern.test(output) ? true : undefined), 10_000, `${pattern} in ${JSON.stringify(output.slice(-300))}`);
    },
    type: (text) => socket.emit("input", text),
  };
}

/** `docker top` with numeric uids (the host's user names would hide them): rows of [uid, pid, command]. */
async function top(container: string): Promise<string[][]> {
  return (await engine.getContainer(container).top({ ps_args: "-eo uid,pid,args" })).Processes ?? [];
}

/**
 * Makes the container's /bin/sh Debian's dash (copied from this machine with its libraries), as in
 * Debian and Ubuntu images. busybox sh runs its own applets before searching PATH, so in the plain
 * busybox image a planted `tr` is never reached; dash looks every command up through PATH.
 */
const DASH_FILES = ["bin/dash", "lib/x86_64-linux-gnu/libc.so.6", "lib64/ld-linux-x86-64.so.2"];
const haveDash = DASH_FILES.every((f) => fs.existsSync(`/${f}`));
async function useDash(container: string): Promise<void> {
  const tar = execFileSync("tar", ["-C", "/", "-chf", "-", ...DASH_FILES], { maxBuffer: 64 * 1024 * 1024 });
  await engine.getContainer(container).putArchive(tar, { path: "/" });
  assert.equal((await execIn(container, ["/bin/busybox", "ln", "-sf", "/bin/dash", "/bin/sh"])).exitCode, 0);
  assert.equal((await execIn(container, ["/bin/sh", "-c", "command -v tr"])).output.trim(), "/bin/tr", "sh looks tr up through PATH");
}

async function gone(container: string, pattern: RegExp, timeoutMs = 15_000): Promise<void> {
  await waitFor(async () => (!(await top(container)).some((row) => pattern.test(row.join(" "))) ? true : undefined), timeoutMs, `${pattern} to end: ${JSON.stringify(await top(container))}`).catch(async (err) => {
    throw new Error(`${(err as Error).message}: ${JSON.stringify(await top(container))}`);
  });
}

/** Waits for the start-up sweep's log line (at most 10 s: a build without it still sweeps by then). */
async function sweepDone(s: TestServer): Promise<void> {
  await waitFor(async () => (/shell sweep:/.test(s.output()) ? true : undefined), 10_000).catch(() => {});
}

describe("shell clean-up trusts nothing in the container", () => {
  it("runs no tool from the container's PATH as root: a planted tr/grep/sleep never runs, on Close or in the start-up sweep", { skip: !haveDash && "needs /bin/dash" }, async () => {
    let s = await server();
    const env = await environment(s, "planted");
    await useDash(env);
    // An unprivileged user owns the first directory on the PATH root's execs get.
    assert.equal((await execIn(env, ["sh", "-c", "mkdir -p /usr/local/sbin /usr/local/bin && chown 1000:1000 /usr/local/sbin /usr/local/bin && chmod 1777 /tmp"])).exitCode, 0);
    const plant = ["tr", "grep", "sleep", "cat", "kill", "ps", "pkill", "head", "sed", "awk", "id", "test", "["]
      .map((tool) => `printf '#!/bin/sh\\n/bin/id -u >> /tmp/planted-ran\\nexec /bin/busybox ${tool} "$@"\\n' > '/usr/local/sbin/${tool}' && chmod 755 '/usr/local/sbin/${tool}'`)
      .join(" && ");
    const planted = await engine.getContainer(env).exec({ Cmd: ["sh", "-c", plant], User: "1000", AttachStdout: true, AttachStderr: true });
    await new Promise((resolve) => planted.start({}).then((stream) => (stream.on("end", resolve), stream.resume())));
    // The plant works: a root shell that looks tr up through PATH runs it.
    await execIn(env, ["/bin/sh", "-c", "echo a | tr a b >/dev/null"]);
    assert.match((await execIn(env, ["/bin/busybox", "cat", "/tmp/planted-ran"])).output, /^0$/m, "the planted tr ran as root when looked up through PATH");
    await execIn(env, ["/bin/busybox", "rm", "-f", "/tmp/planted-ran"]);

    // Close.
    const sh = await shell(s, env);
    assert.equal(sh.ack.ok, true, sh.ack.error);
    sh.type("/bin/sleep 4321 & echo started-$((1+1))\n");
    await sh.until(/started-2/);
    sh.socket.emit("close-shell");
    await gone(env, /sleep 4321/);

    // The start-up sweep after a crash.
    const leaked = await shell(s, env);
    leaked.type("/bin/sleep 4322 & echo started-$((1+2))\n");
    await leaked.until(/started-3/);
    await s.kill9();
    leaked.socket.disconnect();
    s = await s.restart();
    servers.push(s);
    await gone(env, /sleep 4322/);
    await sweepDone(s);

    const ran = await execIn(env, ["/bin/busybox", "sh", "-c", "/bin/busybox cat /tmp/planted-ran 2>/dev/null || true"]);
    assert.equal(ran.output.trim(), "", `planted tools ran as uid(s): ${ran.output.trim().split("\n").join(", ")}`);
  });

  it("Close ends a shell opened as uid 1000 and what it started; the start-up sweep ends a crash-leaked one", async () => {
    let s = await server();
    const env = await environment(s, "uid1000");
    const sh = await shell(s, env, { user: "1000" });
    assert.equal(sh.ack.ok, true, sh.ack.error);
    sh.type("sleep 5431 & echo started-$((2+2))\n");
    await sh.until(/started-4/);
    assert.ok((await top(env)).some((row) => row[0] === "1000" && /sleep 5431/.test(row.join(" "))), "runs as uid 1000");
    sh.socket.emit("close-shell");
    await gone(env, /sleep 5431/);
    await waitFor(async () => ((await top(env)).every((row) => row[0] !== "1000") ? true : undefined), 10_000, "no process of uid 1000");

    const leaked = await shell(s, env, { user: "1000:1000" });
    leaked.type("sleep 5432 & echo started-$((2+3))\n");
    await leaked.until(/started-5/);
    await s.kill9();
    leaked.socket.disconnect();
    s = await s.restart();
    servers.push(s);
    await gone(env, /sleep 5432/);
    await waitFor(async () => ((await top(env)).every((row) => row[0] !== "1000") ? true : undefined), 10_000, "no process of uid 1000");
  });

  it("two dashboards on one engine (their own data dirs) keep each other's shells; each sweeps only its own", async () => {
    let a = await server();
    const env = await environment(a, "twodash");
    const ofA = await shell(a, env);
    ofA.type("sleep 6543 & echo started-$((3+3))\n");
    await ofA.until(/started-6/);

    const b = await server();
    await sweepDone(b);
    const ofB = await shell(b, env);
    ofB.type("sleep 6544 & echo started-$((3+4))\n");
    await ofB.until(/started-7/);
    assert.ok((await top(env)).some((row) => /sleep 6543/.test(row.join(" "))), "B's start-up sweep ended A's shell");

    // A crashes and comes back: its sweep ends its own leftover and leaves B's shell alone.
    await a.kill9();
    ofA.socket.disconnect();
    a = await a.restart();
    servers.push(a);
    await gone(env, /sleep 6543/);
    await sweepDone(a);
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok((await top(env)).some((row) => /sleep 6544/.test(row.join(" "))), "A's sweep ended B's shell");
    ofB.socket.emit("close-shell");
    await gone(env, /sleep 6544/);
  });
});

describe("shell slots", () => {
  it("one session cannot take every shell slot: the per-session limit refuses with a clear message, other sessions still open shells", async () => {
    const s = await server({ HAKURIVER_SHELLS_PER_SESSION: "3" });
    const env = await environment(s, "slots");
    const one = { Cookie: await loginCookie(s), Origin: s.origin };
    const two = { Cookie: await loginCookie(s), Origin: s.origin };
    for (let i = 0; i < 3; i++) assert.equal((await shell(s, env, { headers: one })).ack.ok, true);
    const refused = await shell(s, env, { headers: one });
    assert.deepEqual(refused.ack, { ok: false, error: "Too many open shells for this session (3); close some first." });
    assert.equal((await shell(s, env, { headers: two })).ack.ok, true, "another session still gets a shell");
  });

  it("one address cannot take every shell slot: its login sessions and its bearer clients together are refused past HAKURIVER_SHELLS_PER_ADDRESS (24), detached shells counted; another address still opens shells", async () => {
    const s = await server({ HAKURIVER_SHELL_GRACE_SECONDS: "300" });
    const env = await environment(s, "peraddr");
    // Free logins: a first session's 16 shells, left detached (the sockets dropped, each shell
    // waiting for a resume), then a second session's 8.
    const first = { Cookie: await loginCookie(s), Origin: s.origin };
    const detached: Shell[] = [];
    for (let i = 0; i < 16; i++) detached.push(await shell(s, env, { headers: first }));
    assert.ok(detached.every((sh) => sh.ack.ok), JSON.stringify(detached.find((sh) => !sh.ack.ok)?.ack));
    for (const sh of detached) sh.socket.disconnect();
    const second = { Cookie: await loginCookie(s), Origin: s.origin };
    for (let i = 0; i < 8; i++) assert.equal((await shell(s, env, { headers: second })).ack.ok, true, `shell ${17 + i}`);

    const refusal = { ok: false, error: "Too many open shells from this address (24); close some first." };
    assert.deepEqual((await shell(s, env, { headers: second })).ack, refusal, "a second session's 9th shell");
    assert.deepEqual((await shell(s, env, { headers: { Cookie: await loginCookie(s), Origin: s.origin } })).ack, refusal, "a new session's first shell");
    assert.deepEqual((await shell(s, env)).ack, refusal, "the bearer token from the same address");
    // Another client (127.0.0.2) is not held back by what 127.0.0.1 opened.
    const other = await shell(s, env, { from: "127.0.0.2" });
    assert.equal(other.ack.ok, true, other.ack.error);
    other.type("echo other-$((40+2))\n");
    await other.until(/other-42/);
  });

  it("closing 64 shells at once ends them all within 5 s (one scan per container, not one per shell)", { skip: !haveDash && "needs /bin/dash" }, async () => {
    const s = await server({ HAKURIVER_SHELLS_PER_SESSION: "16" });
    const env = await environment(s, "many");
    await useDash(env);
    const opened: Shell[] = [];
    // Four clients (addresses), one login session each: one address may not have 64 shells.
    for (let client = 1; client <= 4; client++) {
      const headers = { Cookie: await loginCookie(s), Origin: s.origin };
      for (let i = 0; i < 16; i++) opened.push(await shell(s, env, { headers, from: `127.0.0.${client}` }));
    }
    assert.ok(opened.every((sh) => sh.ack.ok), JSON.stringify(opened.find((sh) => !sh.ack.ok)?.ack));
    const extra = await shell(s, env, { headers: { Cookie: await loginCookie(s), Origin: s.origin }, from: "127.0.0.5" });
    const shells = async () => (await top(env)).filter((row) => /^(\/bin\/)?(ba|da)?sh$/.test(row[2])).length;
    assert.ok((await shells()) >= 64, `64 shells run: ${await shells()}`);
    // Each with something running in the background, as shells in use have.
    for (const sh of opened) sh.type("sleep 7000 &\n");
    const sleeps = async () => (await top(env)).filter((row) => row[2] === "sleep 7000").length;
    await waitFor(async () => ((await sleeps()) === 64 ? true : undefined), 15_000, "64 background processes");

    const started = Date.now();
    for (const sh of opened) sh.socket.emit("close-shell");
    await waitFor(async () => ((await shells()) + (await sleeps()) === 0 ? true : undefined), 120_000, "every shell and what it started to end");
    const seconds = (Date.now() - started) / 1000;
    console.log(`# closing 64 shells took ${seconds.toFixed(1)} s`);
    assert.ok(seconds < 5, `closing 64 shells took ${seconds.toFixed(1)} s`);
    assert.deepEqual(extra.ack, { ok: false, error: "Too many open shells (64); close some first." }, "the global limit holds");
  });
});
