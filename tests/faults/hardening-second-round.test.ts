import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startServer, type TestServer } from "../helpers/server";

/**
 * Hardening, second round: what an attack on the new surfaces found. Each block reproduces one
 * finding against the production server (dist/server.mjs).
 */

let server: TestServer;

before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
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
