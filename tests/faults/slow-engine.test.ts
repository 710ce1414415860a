import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { startSlowEngine } from "../helpers/delay-proxy";
import { startServer, waitFor, type TestServer } from "../helpers/server";

/**
 * An engine that answers `/version` slowly (Podman's took 1.5–3.5 s on 2 busy CPUs) is slow, not
 * absent: the server starts and its start-up line says "slow to answer (… s)". The slow engine is
 * the test engine behind a loopback socket that holds every `/version` request 4 s.
 */
const upstream = (process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock").replace(/^unix:\/\//, "");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hakuriver-slow-engine-"));
const socket = path.join(dir, "engine.sock");
const servers: TestServer[] = [];
const proxy = await startSlowEngine(upstream, socket, /^\/version$/, 4_000);

after(async () => {
  for (const s of servers) await s.stop();
  await proxy.close();
  for (const s of servers) fs.rmSync(s.dataDir, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
});

const startLine = (s: TestServer) => s.output().split("\n").find((l) => l.startsWith("Docker engine:"));

describe("a slow engine at start-up", () => {
  it("is reported slow to answer, with the time, and the server starts", async () => {
    const server = await startServer({ DOCKER_HOST: `unix://${socket}` });
    servers.push(server);
    const line = await waitFor(async () => startLine(server), 30_000, "the start-up line about the engine");
    console.log(`[slow-engine] ${line}`);
    assert.match(line, new RegExp(`^Docker engine: unix://${socket.replace(/[.]/g, "\\.")} is slow to answer \\(4(\\.\\d)? s; Docker \\d+\\.\\d+`));
    assert.doesNotMatch(server.output(), /does NOT answer/);
    assert.ok(proxy.held() >= 1, "the engine's /version went through the slow socket");
    const res = await fetch(`${server.url}/api/containers`, { headers: server.bearer });
    assert.equal(res.status, 200, "the pages work through the slow engine");
  });
});
