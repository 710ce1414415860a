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
