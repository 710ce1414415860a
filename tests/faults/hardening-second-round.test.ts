import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startServer, type TestServer } from "../helpers/server";

/**
 * Hardening, second round: what an attack on the new surfaces found. Each block reproduces one
 * finding against the production server (dist/server.mjs).
 */

let server: TestServer;
let containerDir: string;

before(async () => {
  server = await startServer();
  containerDir = path.join(server.dataDir, "shared", "hakuriver-containers");
  fs.mkdirSync(containerDir, { recursive: true });
});
after(async () => {
  await server.stop();
});

describe("finding 10: If-Range on Download, so a resumed download never splices two files", () => {
  const file = "resume-1700000000.tar";
  const target = () => path.join(containerDir, file);
  /** Replaces the version as a new Create Tar of the same second would: a new file renamed over it. */
  const replace = (bytes: Buffer) => {
    fs.writeFileSync(`${target()}.new`, bytes);
    fs.renameSync(`${target()}.new`, target());
  };
  const get = async (headers: Record<string, string> = {}, method = "GET") => {
    const res = await fetch(`${server.url}/api/tarballs/${file}/download`, { method, headers: { ...server.bearer, ...headers } });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  };

  it("answers carry a strong ETag and Last-Modified; If-Range with either resumes (206) while the file is the same", async () => {
    const first = randomBytes(64 * 1024);
    replace(first);
    // An hour old: a Last-Modified date then stands for one version of the file.
    const hourAgo = new Date(Date.now() - 3600_000);
    fs.utimesSync(target(), hourAgo, hourAgo);
    const full = await get();
    assert.equal(full.status, 200);
    assert.ok(full.body.equals(first));
    const etag = full.headers.get("etag");
    assert.ok(etag, "an ETag");
    assert.match(etag, /^"[^"]+"$/, "a strong ETag (no W/)");
    assert.equal(full.headers.get("last-modified"), new Date(Math.floor(hourAgo.getTime() / 1000) * 1000).toUTCString());
    const head = await get({}, "HEAD");
    assert.equal(head.headers.get("etag"), etag, "HEAD names the same validator");

    for (const validator of [etag, full.headers.get("last-modified")!]) {
      const rest = await get({ Range: "bytes=1000-", "If-Range": validator });
      assert.equal(rest.status, 206, `If-Range: ${validator}`);
      assert.equal(rest.headers.get("content-range"), `bytes 1000-${first.length - 1}/${first.length}`);
      assert.ok(Buffer.concat([full.body.subarray(0, 1000), rest.body]).equals(first), "the resumed download equals the file");
    }
  });

  it("If-Range naming the file before it changed gets the whole new file (200), not a range of it", async () => {
    const old = randomBytes(64 * 1024);
    replace(old);
    const hourAgo = new Date(Date.now() - 3600_000);
    fs.utimesSync(target(), hourAgo, hourAgo);
    const before = await get({ Range: "bytes=0-999" });
    assert.equal(before.status, 206);
    const etag = before.headers.get("etag")!;
    const lastModified = before.headers.get("last-modified")!;

    // The version is replaced while the download is interrupted (same size: a Range would fit).
    const now = randomBytes(64 * 1024);
    replace(now);
    for (const validator of [etag, lastModified]) {
      const resumed = await get({ Range: "bytes=1000-", "If-Range": validator });
      assert.equal(resumed.status, 200, `If-Range: ${validator} names the old file`);
      assert.equal(resumed.headers.get("content-range"), null);
      assert.ok(resumed.body.equals(now), "the whole new file, not a splice");
    }
    // Rewritten in place (same inode), one byte longer: the ETag changes too.
    fs.appendFileSync(target(), "x");
    const etag2 = (await get({}, "HEAD")).headers.get("etag")!;
    assert.notEqual(etag2, etag);
    const appended = await get({ Range: "bytes=1000-", "If-Range": (await get({}, "HEAD")).headers.get("etag")! });
    assert.equal(appended.status, 206);
    fs.appendFileSync(target(), "y");
    assert.equal((await get({ Range: "bytes=1000-", "If-Range": etag2 })).status, 200);
    // A weak validator never allows a range.
    assert.equal((await get({ Range: "bytes=1000-", "If-Range": `W/${(await get({}, "HEAD")).headers.get("etag")!}` })).status, 200);
  });

  it("If-None-Match and If-Modified-Since answer 304 while the file is the same, 200 once it changed", async () => {
    replace(randomBytes(4096));
    const hourAgo = new Date(Date.now() - 3600_000);
    fs.utimesSync(target(), hourAgo, hourAgo);
    const { headers } = await get({}, "HEAD");
    const etag = headers.get("etag")!;
    const lastModified = headers.get("last-modified")!;
    const same = await get({ "If-None-Match": `"other", ${etag}` });
    assert.equal(same.status, 304);
    assert.equal(same.body.length, 0);
    assert.equal(same.headers.get("etag"), etag);
    assert.equal((await get({ "If-None-Match": "*" })).status, 304);
    assert.equal((await get({ "If-Modified-Since": lastModified })).status, 304);
    assert.equal((await get({ "If-Modified-Since": new Date(hourAgo.getTime() - 60_000).toUTCString() })).status, 200);
    // If-None-Match decides when both are sent.
    assert.equal((await get({ "If-None-Match": '"other"', "If-Modified-Since": lastModified })).status, 200);

    replace(randomBytes(4096));
    assert.equal((await get({ "If-None-Match": etag })).status, 200);
    assert.equal((await get({ "If-Modified-Since": lastModified })).status, 200);
  });
});

describe("finding a: Engine.IO's own answers carry the pages' security headers", () => {
  const SECURITY = ["content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy", "cross-origin-opener-policy", "permissions-policy"];

  it("handshake, polling GET and POST, a refused request and an Engine.IO error all carry CSP, nosniff and the rest", async () => {
    const page = await fetch(`${server.url}/login`);
    await page.body?.cancel();
    const expected = Object.fromEntries(SECURITY.map((h) => [h, page.headers.get(h)]));
    assert.equal(expected["x-content-type-options"], "nosniff");
    assert.ok(expected["content-security-policy"]);

    const poll = `${server.url}/socket.io/?EIO=4&transport=polling`;
    const handshake = await fetch(poll, { headers: server.bearer });
    const sid = (JSON.parse((await handshake.text()).slice(1)) as { sid: string }).sid;
    const answers: [string, Response][] = [["handshake", handshake]];
    answers.push(["polling POST", await fetch(`${poll}&sid=${sid}`, { method: "POST", headers: { ...server.bearer, "Content-Type": "text/plain" }, body: "40/live," })]);
    answers.push(["polling GET", await fetch(`${poll}&sid=${sid}`, { headers: server.bearer })]);
    answers.push(["refused (no credential)", await fetch(poll)]);
    answers.push(["Engine.IO error (unknown transport)", await fetch(`${server.url}/socket.io/?EIO=4&transport=carrier-pigeon`, { headers: server.bearer })]);
    answers.push(["Engine.IO error (unknown sid)", await fetch(`${poll}&sid=nope`, { headers: server.bearer })]);
    for (const [what, res] of answers) {
      await res.body?.cancel().catch(() => {});
      for (const h of SECURITY) assert.equal(res.headers.get(h), expected[h], `${what} (${res.status}): ${h}`);
    }
    assert.ok(answers.some(([, r]) => r.status >= 400), "the errors were errors");
  });
});

describe("finding b: a malformed percent-encoding in a path is a 400, not a 500", () => {
  it("every /api route with a path parameter answers %ZZ (and an invalid UTF-8 escape) with a JSON 400", async () => {
    const routes: [string, string][] = [
      ["GET", "/api/tarballs/%ZZ"],
      ["DELETE", "/api/tarballs/%ZZ"],
      ["GET", "/api/tarballs/%ZZ/download"],
      ["HEAD", "/api/tarballs/%ZZ/download"],
      ["POST", "/api/tarballs/%ZZ/verify"],
      ["POST", "/api/tarballs/%ZZ/container"],
      ["DELETE", "/api/tarballs/jobs/%ZZ"],
      ["GET", "/api/containers/%ZZ"],
      ["DELETE", "/api/containers/%ZZ"],
      ["POST", "/api/containers/%ZZ/start"],
      ["POST", "/api/containers/env/%ZZ"],
      ["DELETE", "/api/creations/%ZZ"],
      ["GET", "/api/runners/%ZZ"],
      ["POST", "/api/runners/%ZZ/sync"],
      ["DELETE", "/api/runners/%ZZ/sync"],
      ["GET", "/api/tarballs/%C0%AF-1700000000.tar"],
    ];
    for (const [method, route] of routes) {
      const res = await fetch(`${server.url}${route}`, { method, headers: { ...server.bearer, "Content-Type": "application/json" }, body: method === "POST" ? "{}" : undefined });
      assert.equal(res.status, 400, `${method} ${route}`);
      if (method === "HEAD") continue;
      assert.match(res.headers.get("content-type") ?? "", /application\/json/, `${method} ${route}`);
      const body = (await res.json()) as { error: string; code: string };
      assert.equal(body.code, "bad_request:url", `${method} ${route}`);
      assert.match(body.error, /percent-encoding/i);
    }
    assert.doesNotMatch(server.output(), /request failed|URIError/);
  });
});

describe("finding c: notes refuse Unicode direction controls", () => {
  it("a Create Tar note with U+202E or another bidi control is refused with 400 and starts nothing", async () => {
    const jobs = async () => ((await (await fetch(`${server.url}/api/tarballs/jobs`, { headers: server.bearer })).json()) as { jobs: unknown[] }).jobs;
    const before = await jobs();
    for (const control of ["\u202e", "\u202a", "\u2066", "\u2069", "\u200f", "\u061c"]) {
      const note = `release ${control}rat.exe`;
      const res = await fetch(`${server.url}/api/containers/no-such-env-0/tar?note=${encodeURIComponent(note)}`, { method: "POST", headers: server.bearer });
      assert.equal(res.status, 400, JSON.stringify(note));
      const body = (await res.json()) as { error: string; code: string };
      assert.equal(body.code, "bad_request:input");
      assert.match(body.error, new RegExp(`U\\+${control.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`));
      assert.match(body.error, /direction/);
    }
    assert.deepEqual(await jobs(), before);
  });
});

describe("finding d: a Runner that answers, but not as a Docker engine, is not reachable", () => {
  // A Runner endpoint on 127.0.0.1 that speaks TLS (tcp:// Runners are reached with TLS only) and
  // answers whatever `hostile.answer` says: an HTTP 200 that is not a Docker engine's answer.
  const hostile = {
    answer: ((() => ({ type: "text/plain", body: "hello" })) as (url: string) => { type: string; body: string }),
    asked: [] as string[],
  };
  let runnerServer: https.Server;
  let own: TestServer;

  before(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hakuriver-hostile-runner-"));
    const tls = path.join(dataDir, "runners", "hostile");
    fs.mkdirSync(tls, { recursive: true });
    // One self-signed certificate for 127.0.0.1 serves as the CA, the server's and the client's.
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=hostile-runner",
      "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", path.join(tls, "key.pem"), "-out", path.join(tls, "cert.pem")], { stdio: "ignore" });
    fs.copyFileSync(path.join(tls, "cert.pem"), path.join(tls, "ca.pem"));
    for (const f of ["key.pem", "cert.pem", "ca.pem"]) fs.chmodSync(path.join(tls, f), 0o600);
    runnerServer = https.createServer({ key: fs.readFileSync(path.join(tls, "key.pem")), cert: fs.readFileSync(path.join(tls, "cert.pem")) }, (req, res) => {
      hostile.asked.push(req.url ?? "");
      const { type, body } = hostile.answer(req.url ?? "");
      res.writeHead(200, { "Content-Type": type }).end(body);
    });
    const port = await new Promise<number>((resolve) => runnerServer.listen(0, "127.0.0.1", () => resolve((runnerServer.address() as AddressInfo).port)));
    own = await startServer({ HAKURIVER_DATA_DIR: dataDir, HAKURIVER_RUNNERS: `hostile=tcp://127.0.0.1:${port}` });
  });
  after(async () => {
    await own?.stop();
    runnerServer?.close();
  });

  const INFO = JSON.stringify({ ServerVersion: "27.1.0", Name: "hostile" });
  const answers: [string, (url: string) => { type: string; body: string }][] = [
    ["plain text to everything", () => ({ type: "text/plain", body: "hello, I am not docker" })],
    ["an HTML page", () => ({ type: "text/html", body: "<html><body>It works!</body></html>" })],
    ["JSON null", () => ({ type: "application/json", body: "null" })],
    ["JSON without ServerVersion", () => ({ type: "application/json", body: '{"hello":"world"}' })],
    ["a number for ServerVersion", () => ({ type: "application/json", body: '{"ServerVersion":27}' })],
    ["/images/json not JSON", (url) => (url.startsWith("/info") ? { type: "application/json", body: INFO } : { type: "text/plain", body: "nope" })],
    ["/images/json an object", (url) => (url.startsWith("/info") ? { type: "application/json", body: INFO } : { type: "application/json", body: '{"RepoTags":"x"}' })],
    ["/images/json [null]", (url) => (url.startsWith("/info") ? { type: "application/json", body: INFO } : { type: "application/json", body: "[null]" })],
    [
      "/images/json with a string Created",
      (url) => (url.startsWith("/info") ? { type: "application/json", body: INFO } : { type: "application/json", body: '[{"RepoTags":["hakuriver/x:base"],"Created":"soon","Size":"big"}]' }),
    ],
  ];

  it("every garbage answer shows as not reachable with a plain reason, and nothing throws", async () => {
    for (const [what, answer] of answers) {
      hostile.answer = answer;
      hostile.asked.length = 0;
      const res = await fetch(`${own.url}/api/runners/hostile`, { headers: own.bearer });
      assert.equal(res.status, 200, what);
      const status = (await res.json()) as { reachable: boolean; reason?: string };
      assert.ok(hostile.asked.length > 0, `${what}: the Runner was asked`);
      assert.equal(status.reachable, false, `${what}: ${JSON.stringify(status)}`);
      assert.match(status.reason ?? "", /^answered, but not as a Docker engine: \S/, what);
      assert.doesNotMatch(status.reason ?? "", /Cannot read|is not a function|is not iterable|undefined/, what);
    }
    // The fake is a fair test: with an engine's answers it is reachable.
    hostile.answer = (url) => ({ type: "application/json", body: url.startsWith("/info") ? INFO : '[{"RepoTags":["hakuriver/x:base"],"Created":1700000000,"Size":1024}]' });
    const ok = (await (await fetch(`${own.url}/api/runners/hostile`, { headers: own.bearer })).json()) as { reachable: boolean; version?: string };
    assert.equal(ok.reachable, true, JSON.stringify(ok));
    assert.equal(ok.version, "27.1.0");
    assert.doesNotMatch(own.output(), /uncaught|unhandled|TypeError/i);
  });
});
