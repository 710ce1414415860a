import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { dockerdOwned } from "../helpers/docker";
import { loginCookie, startServer, waitFor, type TestServer } from "../helpers/server";

// Stopping dockerd is only done to the engine the test set-up started (scripts/dockerd.sh checks its PID).
const owned = dockerdOwned();

describe("engine down, then back", { skip: owned ? false : "the Docker engine was not started by scripts/test-env.sh; not stopping someone else's dockerd" }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    execFileSync("bash", ["scripts/dockerd.sh", "start"], { stdio: "ignore" });
    await server.stop();
  });

  it("pages show the banner, APIs answer 503 with a message, nothing crashes; the dashboard recovers without a restart", async () => {
    const cookie = await loginCookie(server);
    assert.equal((await fetch(`${server.url}/api/containers`, { headers: server.bearer })).status, 200);

    execFileSync("bash", ["scripts/dockerd.sh", "stop"], { stdio: "inherit" });

    const list = await fetch(`${server.url}/api/containers`, { headers: server.bearer });
    assert.equal(list.status, 503);
    const body = (await list.json()) as { error: string; code: string };
    assert.equal(body.code, "unavailable:docker");
    assert.match(body.error, /Cannot reach the Docker engine at unix:\/\/\/var\/run\/docker.sock/);

    const page = await fetch(`${server.url}/docker`, { headers: { Cookie: cookie } });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /Docker engine unreachable/);
    assert.match(html, /Endpoint tried: .*unix:\/\/\/var\/run\/docker.sock/);

    const create = await fetch(`${server.url}/api/containers`, {
      method: "POST",
      headers: { ...server.bearer, "Content-Type": "application/json" },
      body: JSON.stringify({ image: "busybox", name: "while-down" }),
    });
    assert.equal(create.status, 503);
    const tar = await fetch(`${server.url}/api/containers/anything/tar`, { method: "POST", headers: server.bearer });
    assert.equal(tar.status, 503);
    assert.deepEqual(await (await fetch(`${server.url}/api/health`)).json(), { ok: true, docker: { reachable: false, version: null } });
    // The shared directory does not need the engine.
    assert.equal((await fetch(`${server.url}/api/tarballs`, { headers: server.bearer })).status, 200);

    execFileSync("bash", ["scripts/dockerd.sh", "start"], { stdio: "ignore" });
    await waitFor(async () => ((await fetch(`${server.url}/api/containers`, { headers: server.bearer })).status === 200 ? true : undefined), 60_000, "recovery");
    const again = await fetch(`${server.url}/docker`, { headers: { Cookie: cookie } });
    assert.doesNotMatch(await again.text(), /Docker engine unreachable/);
    assert.equal(server.process.exitCode, null, "the server never exited");
    assert.doesNotMatch(server.output(), /unhandled|uncaught/i);
  });
});
