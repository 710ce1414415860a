import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { io as connect, type Socket } from "socket.io-client";
import { ENV_NAME_PATTERN, parseImageReference } from "@/lib/shared/validation";
import { LOCAL_IMAGE, engine, removeContainer, uniqueName } from "../helpers/docker";
import { startServer, type TestServer } from "../helpers/server";

/** Property-based bad input: every case gets a 4xx or a clear refusal, and nothing changes. */
const RUNS = 1000;
let server: TestServer;
let containerDir: string;

before(async () => {
  server = await startServer();
  containerDir = path.join(server.dataDir, "shared", "hakuriver-containers");
});
after(async () => {
  await server.stop();
});

async function engineSnapshot() {
  const [containers, images] = await Promise.all([engine.listContainers({ all: true }), engine.listImages({ all: true })]);
  return { containers: containers.map((c) => c.Id).sort(), images: images.map((i) => i.Id).sort() };
}

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/api/containers`, { method: "POST", headers: { ...server.bearer, "Content-Type": "application/json", ...headers }, body });

// Strings of the shapes people and attackers type: unicode, traversal, whitespace, long, empty.
const nasty = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("", " ", "../etc", "..", "/", "a/../../b", "UPPER", "My Env", "x".repeat(64), "x".repeat(300), "env\n", "env;rm -rf /", "-lead", ".dot", "日本語", "emoji😀"),
  fc.tuple(fc.stringMatching(/^[a-z0-9]{1,10}$/), fc.constantFrom("A", " ", "/", "..", "é", "\u0000", ":", "@")).map(([a, b]) => a + b),
);

describe("bad input changes nothing", () => {
  it(`environment names: ${RUNS} invalid names are refused with 400 before any Docker call`, async () => {
    const before = await engineSnapshot();
    let count = 0;
    await fc.assert(
      fc.asyncProperty(
        nasty.filter((n) => !ENV_NAME_PATTERN.test(n.trim())),
        async (name) => {
          const res = await post(JSON.stringify({ image: LOCAL_IMAGE, name }));
          assert.equal(res.status, 400, JSON.stringify(name));
          const body = (await res.json()) as { error: string; code: string };
          assert.equal(body.code, "bad_request:input");
          assert.match(body.error, /HakuRiver Container Name/);
          count++;
        },
      ),
      { numRuns: RUNS },
    );
    assert.equal(count, RUNS);
    assert.deepEqual(await engineSnapshot(), before);
  });

  it(`image references: ${RUNS} invalid references are refused with 400, nothing is pulled or created`, async () => {
    const before = await engineSnapshot();
    const name = uniqueName("never");
    await fc.assert(
      fc.asyncProperty(
        nasty.filter((s) => parseImageReference(s.trim()) === undefined),
        async (image) => {
          const res = await post(JSON.stringify({ image, name }));
          assert.equal(res.status, 400, JSON.stringify(image));
          assert.match(((await res.json()) as { error: string }).error, /Docker Image Name/);
        },
      ),
      { numRuns: RUNS },
    );
    assert.deepEqual(await engineSnapshot(), before);
  });

  it(`tarball deletes, details, downloads, Verify and New container: ${RUNS} traversal, symlink and foreign names are refused and every file stays`, async () => {
    fs.mkdirSync(containerDir, { recursive: true });
    const outside = path.join(server.dataDir, "outside-1700000000.tar");
    const files = {
      kept: path.join(containerDir, "kept-1700000000.tar"),
      link: path.join(containerDir, "link-1700000000.tar"),
      dir: path.join(containerDir, "adir-1700000000.tar"),
      other: path.join(containerDir, "notes.txt"),
      outside,
    };
    fs.writeFileSync(outside, "outside");
    fs.writeFileSync(files.kept, "kept");
    fs.writeFileSync(files.other, "notes");
    fs.mkdirSync(files.dir, { recursive: true });
    fs.symlinkSync(outside, files.link);
    const listing = () => fs.readdirSync(containerDir).sort().join(",");
    const before = listing();
    const names = fc.oneof(
      nasty,
      fc.constantFrom("link-1700000000.tar", "adir-1700000000.tar", "notes.txt", "../outside-1700000000.tar", "..%2Foutside-1700000000.tar", "%2e%2e/outside-1700000000.tar", "kept-1700000000.tar/", "./kept-1700000000.tar"),
      fc.tuple(fc.constantFrom("../", "..\\", "/", "./", "%2e%2e%2f", "....//"), fc.constantFrom("outside-1700000000.tar", "kept-1700000000.tar", "etc/passwd")).map(([a, b]) => a + b),
    );
    await fc.assert(
      fc.asyncProperty(
        names.filter((n) => n !== "kept-1700000000.tar" && n.length > 0),
        async (name) => {
          const res = await fetch(`${server.url}/api/tarballs/${encodeURIComponent(name)}`, { method: "DELETE", headers: server.bearer });
          assert.ok(res.status >= 400 && res.status < 500, `${JSON.stringify(name)} → ${res.status}`);
          // The same names through every other route that takes a version file.
          const base = `${server.url}/api/tarballs/${encodeURIComponent(name)}`;
          // ("." and ".." are dot segments: the client's URL then names the list itself, which answers 200.)
          const routes = [[base, "GET"], [`${base}/download`, "GET"], [`${base}/verify`, "POST"], [`${base}/container`, "POST"]] as const;
          for (const [url, method] of routes.filter(([u]) => !(u === base && (name === "." || name === "..")))) {
            const other = await fetch(url, { method, headers: { ...server.bearer, "Content-Type": "application/json" }, body: method === "POST" ? '{"name":"fuzzed-env"}' : undefined });
            await other.body?.cancel();
            assert.ok(other.status >= 400 && other.status < 500, `${method} ${url} → ${other.status}`);
          }
        },
      ),
      { numRuns: RUNS },
    );
    assert.equal(listing(), before);
    assert.equal(fs.readFileSync(outside, "utf8"), "outside");
    assert.equal(fs.readFileSync(files.kept, "utf8"), "kept");
  });

  it("oversized bodies are refused with 413 before anything happens", async () => {
    const before = await engineSnapshot();
    const big = JSON.stringify({ image: LOCAL_IMAGE, name: "x".repeat(2 * 1024 * 1024) });
    const res = await post(big);
    assert.equal(res.status, 413);
    const jobs = await fetch(`${server.url}/api/tarballs/jobs`, { method: "POST", headers: { ...server.bearer, "Content-Type": "application/json" }, body: big });
    assert.equal(jobs.status, 413);
    assert.deepEqual(await engineSnapshot(), before);
  });
});

describe("socket messages of the wrong type or size", () => {
  let socket: Socket;
  let container: string;
  before(async () => {
    container = uniqueName("sock");
    const c = await engine.createContainer({ name: container, Image: LOCAL_IMAGE, Cmd: ["sleep", "infinity"], HostConfig: { Init: true } });
    await c.start();
    socket = connect(`${server.url}/terminal`, { transports: ["websocket"], extraHeaders: server.bearer, reconnection: false, forceNew: true });
    await new Promise<void>((resolve) => socket.on("connect", () => resolve()));
  });
  after(async () => {
    socket.disconnect();
    await removeContainer(container);
  });

  it(`${RUNS} malformed open/resize/input/ack messages start nothing and the server keeps serving`, async () => {
    const payload = fc.oneof(
      fc.anything(),
      // A real container with sizes of the wrong type or range.
      fc.record({ container: fc.constant(container), cols: fc.anything().filter((v) => !(Number.isInteger(v) && (v as number) >= 2 && (v as number) <= 1000)), rows: fc.anything() }),
      // Well-formed but naming no container, with odd commands and users.
      fc.record({ container: fc.string(), cols: fc.integer(), rows: fc.integer(), command: fc.anything(), user: fc.anything() }),
      fc.string({ minLength: 70_000, maxLength: 80_000 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("open", "resize", "input", "ack", "close-shell", "unknown"), payload, async (event, data) => {
        if (event === "open") {
          const ack = (await socket.timeout(5000).emitWithAck("open", data)) as { ok: boolean };
          assert.equal(ack.ok, false, JSON.stringify(data)?.slice(0, 200));
        } else socket.emit(event, data);
      }),
      { numRuns: RUNS },
    );
    // Still connected, still answering, and no shell was started in the container.
    assert.equal(socket.connected, true);
    assert.equal((await fetch(`${server.url}/api/health`)).status, 200);
    const top = JSON.stringify((await engine.getContainer(container).top()).Processes);
    assert.doesNotMatch(top, /bin\/(ba)?sh/);
  });
});
