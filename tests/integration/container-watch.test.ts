import "../helpers/isolated-env";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { io as connect, type Socket } from "socket.io-client";
import { SESSION_COOKIE, createSessionValue } from "@/lib/auth/session";
import { watchHub } from "@/lib/docker/watch";
import type { LogLine } from "@/lib/shared/logs";
import type { StatsSample } from "@/lib/shared/stats";
import { attachSockets } from "@/lib/terminal/socket";
import { startSlowEngine } from "../helpers/delay-proxy";
import { LOCAL_IMAGE, engine, removeContainer, uniqueName } from "../helpers/docker";
import { waitFor } from "../helpers/server";

// Our lib reaches the engine through a proxy that sees every connection to it: a stream our side
// forgot to end stays open there, whatever our own bookkeeping says.
const upstream = (process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock").replace(/^unix:\/\//, "");
const proxySocket = path.join(os.tmpdir(), `hakuriver-watch-${process.pid}.sock`);
const proxy = await startSlowEngine(upstream, proxySocket, /^$/, 0);
process.env.DOCKER_HOST = `unix://${proxySocket}`;
const LOG_STREAMS = /\/containers\/[0-9a-f]+\/logs\?/;
const STATS_STREAMS = /\/containers\/[0-9a-f]+\/stats\?/;

const TOKEN = "integration-token-0123456789";
let server: Server;
let url: string;
const made: string[] = [];
const sockets: Socket[] = [];

before(async () => {
  server = createServer();
  attachSockets(server, TOKEN);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  for (const s of sockets) s.disconnect();
  for (const name of made) await removeContainer(name);
  await new Promise((resolve) => server.close(resolve));
  await proxy.close();
});

async function running(prefix: string, script: string, tty = false): Promise<string> {
  const name = uniqueName(prefix);
  made.push(name);
  const c = await engine.createContainer({ name, Image: LOCAL_IMAGE, Cmd: ["sh", "-c", script], Tty: tty, HostConfig: { Init: true } });
  await c.start();
  return name;
}

function client(headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }): Socket {
  const socket = connect(`${url}/watch`, { transports: ["websocket"], extraHeaders: headers, reconnection: false, forceNew: true });
  sockets.push(socket);
  return socket;
}

/** A viewer of a container's followed log: every line it was pushed. */
async function follower(container: string) {
  const socket = client();
  const lines: LogLine[] = [];
  socket.on("log", (batch: { container: string; lines: LogLine[] }) => {
    assert.equal(batch.container, container);
    lines.push(...batch.lines);
  });
  const ack = await socket.timeout(10_000).emitWithAck("watch", { container, kind: "logs" });
  assert.equal(ack.ok, true, JSON.stringify(ack));
  return { socket, lines, ack };
}

const CHATTY = "i=0; while true; do echo tick-$i; echo tock-$i >&2; i=$((i+1)); sleep 0.2; done";

describe("/watch: one engine stream per container, shared by every viewer", () => {
  it("Follow: new lines arrive live, stdout and stderr apart; two viewers share one engine stream, closed when the last leaves", async () => {
    const name = await running("follow", CHATTY);
    const a = await follower(name);
    const b = await follower(name);
    assert.equal(proxy.open(LOG_STREAMS), 1, "one engine log stream for two viewers");
    await waitFor(async () => (a.lines.length >= 6 && b.lines.length >= 6) || undefined, 10_000, "lines for both viewers");
    assert.ok(a.lines.some((l) => l.stream === "stdout" && /^tick-\d+$/.test(l.text)), JSON.stringify(a.lines.slice(0, 4)));
    assert.ok(a.lines.some((l) => l.stream === "stderr" && /^tock-\d+$/.test(l.text)));
    assert.match(a.lines[0].time, /^\d{4}-\d\d-\d\dT/);
    // Follow starts now: the lines printed before the watch are the page's own tail read, not pushed again.
    assert.ok(!a.lines.some((l) => l.text === "tick-0"), "no old line pushed");

    a.socket.emit("unwatch", { container: name, kind: "logs" });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(proxy.open(LOG_STREAMS), 1, "the other viewer still follows");
    const before = b.lines.length;
    await waitFor(async () => b.lines.length > before || undefined, 5_000, "more lines after the first viewer left");

    b.socket.disconnect();
    await waitFor(async () => proxy.open(LOG_STREAMS) === 0 || undefined, 5_000, "the engine's log stream closed");
    assert.equal(watchHub().openStreams("logs"), 0);
  });

  it("Follow of a TTY container reads its one raw stream", async () => {
    const name = await running("follow-tty", "i=0; while true; do echo tty-$i; i=$((i+1)); sleep 0.2; done", true);
    const a = await follower(name);
    assert.equal((a.ack as { tty: boolean }).tty, true);
    await waitFor(async () => a.lines.length >= 2 || undefined, 10_000, "TTY lines");
    assert.ok(a.lines.every((l) => l.stream === "tty" && /^tty-\d+$/.test(l.text)), JSON.stringify(a.lines.slice(0, 3)));
    a.socket.disconnect();
    await waitFor(async () => proxy.open(LOG_STREAMS) === 0 || undefined, 5_000, "the engine's log stream closed");
  });

  it("a followed container that is removed ends the watch and its engine stream", async () => {
    const name = await running("follow-rm", CHATTY);
    const a = await follower(name);
    const ended = new Promise<{ reason: string }>((resolve) => a.socket.on("watch:ended", resolve));
    await engine.getContainer(name).remove({ force: true });
    const end = await ended;
    assert.match(end.reason, /stopped|removed|ended/);
    await waitFor(async () => proxy.open(LOG_STREAMS) === 0 || undefined, 5_000, "the engine's log stream closed");
  });

  it("Stats: real values once a second; two viewers share one engine stats stream, closed when both leave", async () => {
    const name = await running("stats", "while true; do sleep 1; done");
    const viewers = [client(), client()];
    const samples: StatsSample[][] = [[], []];
    viewers.forEach((s, i) => s.on("stats", ({ sample }: { sample: StatsSample }) => samples[i].push(sample)));
    const first = await viewers[0].timeout(10_000).emitWithAck("watch", { container: name, kind: "stats" });
    assert.equal(first.ok, true, JSON.stringify(first));
    await waitFor(async () => samples[0].length >= 2 || undefined, 10_000, "two samples");
    const second = await viewers[1].timeout(10_000).emitWithAck("watch", { container: name, kind: "stats" });
    assert.ok(second.history.length >= 2, "a late viewer gets the chart's past at once");
    assert.equal(proxy.open(STATS_STREAMS), 1, "one engine stats stream for two viewers");
    await waitFor(async () => samples[1].length >= 2 || undefined, 10_000, "samples for the second viewer");
    const last = samples[1].at(-1)!;
    assert.ok(last.memoryUsed > 0, `memory ${last.memoryUsed}`);
    assert.ok(last.memoryLimit >= last.memoryUsed, `limit ${last.memoryLimit}`);
    assert.ok(last.pids >= 1, `pids ${last.pids}`);
    assert.ok(last.cpuPercent >= 0);
    const gaps = samples[0].slice(1).map((s, i) => s.at - samples[0][i].at);
    assert.ok(gaps.every((g) => g >= 500 && g <= 2000), `about once a second: ${gaps}`);

    viewers[0].emit("unwatch", { container: name, kind: "stats" });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(proxy.open(STATS_STREAMS), 1, "still watched by the other");
    viewers[1].disconnect();
    await waitFor(async () => proxy.open(STATS_STREAMS) === 0 || undefined, 5_000, "the engine's stats stream closed");
    assert.equal(watchHub().openStreams(), 0);
  });

  it("a missing container and bad requests are answered in words, and open nothing", async () => {
    const s = client();
    const missing = await s.timeout(10_000).emitWithAck("watch", { container: "no-such-container-xyz", kind: "logs" });
    assert.equal(missing.ok, false);
    assert.match(missing.error, /no-such-container-xyz|No such|not found/i);
    const bad = await s.timeout(10_000).emitWithAck("watch", { container: "../etc", kind: "stats" });
    assert.deepEqual(bad, { ok: false, error: "Not a container name." });
    const kind = await s.timeout(10_000).emitWithAck("watch", { container: "x", kind: "top" });
    assert.equal(kind.ok, false);
    assert.equal(watchHub().openStreams(), 0);
  });

  it("the namespace is authorised as the shell's: no credentials or a foreign Origin are refused", async () => {
    for (const headers of [{} as Record<string, string>, { Cookie: `${SESSION_COOKIE}=${createSessionValue(TOKEN)}`, Origin: "http://evil.example" }]) {
      const s = client(headers);
      const error = await new Promise<Error | undefined>((resolve) => {
        s.on("connect_error", resolve);
        s.on("connect", () => resolve(undefined));
      });
      assert.ok(error, `refused with ${JSON.stringify(headers)}`);
    }
    const ok = client({ Cookie: `${SESSION_COOKIE}=${createSessionValue(TOKEN)}`, Origin: url });
    await new Promise<void>((resolve, reject) => {
      ok.on("connect", resolve);
      ok.on("connect_error", reject);
    });
  });
});
