import assert from "node:assert/strict";
import fs from "node:fs";
import type { Socket as NetSocket } from "node:net";
import { after, before, describe, it } from "node:test";
import { io as connect, type Socket } from "socket.io-client";
import { LOCAL_IMAGE, engine, removeContainer, removeImage, uniqueName } from "../helpers/docker";
import { createViaApi, startServer, waitFor, type TestServer } from "../helpers/server";

/**
 * A client that acknowledges output it never reads, on the production server and the real engine
 * (issue "Hardening, second round", finding 9). Whatever it acks, the server's memory must not
 * grow with the shell's output: what waits for a client that does not read is bounded.
 */

let container: string;
const servers: TestServer[] = [];
const sockets: Socket[] = [];

/** A server of its own for each measurement: a process's resident memory seldom shrinks. */
async function newServer(): Promise<TestServer> {
  const s = await startServer({ HAKURIVER_SHELL_GRACE_SECONDS: "1" });
  servers.push(s);
  return s;
}

before(async () => {
  container = uniqueName("acks");
  await createViaApi(await newServer(), container, LOCAL_IMAGE);
});

after(async () => {
  for (const s of sockets) s.disconnect();
  for (const s of servers) await s.stop().catch(() => {});
  if (container) {
    await removeContainer(container);
    await removeImage(`hakuriver/${container}:base`);
  }
});

const SECONDS = 20;

/** The server process's resident memory, in MiB. */
function rssMiB(server: TestServer): number {
  const status = fs.readFileSync(`/proc/${server.process.pid}/status`, "utf8");
  const kib = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
  assert.ok(Number.isFinite(kib), "VmRSS in /proc/<pid>/status");
  return kib / 1024;
}

/** `yes` processes in the container, from `docker top`. */
async function floods(): Promise<number> {
  const rows = (await engine.getContainer(container).top({ ps_args: "-eo pid,args" })).Processes ?? [];
  return rows.filter((r: string[]) => /^\/bin\/yes /.test(r[1].trim())).length;
}

/**
 * Opens a shell, stops reading the socket at the TCP level (the kernel's buffers fill and the
 * server's writes queue up), starts a flood in the shell and sends `ack()` every 10 ms for
 * SECONDS. Returns the server's growth in resident memory (MiB) over the flood.
 */
async function floodWithoutReading(ack: () => unknown): Promise<{ growth: number; first: number; peak: number }> {
  const server = await newServer();
  const socket = connect(`${server.url}/terminal`, { transports: ["websocket"], extraHeaders: server.bearer, reconnection: false, forceNew: true });
  sockets.push(socket);
  const opened = await socket.timeout(15_000).emitWithAck("open", { container, cols: 80, rows: 24 });
  assert.equal(opened.ok, true, opened.error);
  // The engine.io client's WebSocket (ws) and its TCP socket: paused, it is read no more.
  const tcp = (socket.io.engine.transport as unknown as { ws: { _socket: NetSocket } }).ws._socket;
  tcp.pause();
  await new Promise((r) => setTimeout(r, 500));
  const first = rssMiB(server);
  let peak = first;
  // By its path: busybox ash runs a bare `yes` inside the shell's own process, unseen by `docker top`.
  socket.emit("input", `/bin/yes '${"x".repeat(200)}'\n`);
  const acks = setInterval(() => socket.emit("ack", ack()), 10);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(server))), 250);
  try {
    await waitFor(async () => ((await floods()) > 0 ? true : undefined), 10_000, "the flood to start");
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    peak = Math.max(peak, rssMiB(server));
  } finally {
    clearInterval(acks);
    clearInterval(sampler);
    tcp.destroy();
    socket.disconnect();
  }
  // The shell ends a second after its socket (the grace period), and the flood with it.
  await waitFor(async () => ((await floods()) === 0 ? true : undefined), 20_000, "the flood to end");
  assert.ok((await fetch(`${server.url}/api/health`)).ok, "the server still answers");
  await server.stop();
  return { growth: peak - first, first, peak };
}

describe("flow control and a client that does not read", () => {
  it(`acks of 10^15 bytes every 10 ms credit nothing: the server grows less than 100 MiB over a ${SECONDS} s flood`, async () => {
    const { growth, first, peak } = await floodWithoutReading(() => 1e15);
    console.log(`# acks of 1e15: server RSS ${first.toFixed(0)} -> ${peak.toFixed(0)} MiB (+${growth.toFixed(0)})`);
    assert.ok(growth < 100, `the server grew ${growth.toFixed(0)} MiB`);
  });

  it(`plausible acks (128 KiB every 10 ms, never more than was sent) do not make the server buffer for a client that does not read`, async () => {
    const { growth, first, peak } = await floodWithoutReading(() => 128 * 1024);
    console.log(`# acks of 128 KiB: server RSS ${first.toFixed(0)} -> ${peak.toFixed(0)} MiB (+${growth.toFixed(0)})`);
    assert.ok(growth < 100, `the server grew ${growth.toFixed(0)} MiB`);
  });
});
