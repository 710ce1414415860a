import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { io as connect } from "socket.io-client";
import { LOCAL_IMAGE, removeContainer, uniqueName } from "../helpers/docker";
import { builtActions, builtRoutes } from "../helpers/manifests";
import { loginCookie, startServer, type TestServer } from "../helpers/server";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

const PUBLIC = new Set(["/login", "/set-password", "/api/health", "/api/auth/login", "/api/auth/logout", "/api/auth/set-password", "/api/auth/oidc/start", "/api/auth/oidc/callback"]);

describe("nobody gets in without the token", () => {
  it("every page redirects to /login and every route handler answers 401, for every method", async () => {
    const routes = builtRoutes();
    assert.ok(routes.length >= 12, `found ${routes.length} routes`);
    let checked = 0;
    for (const route of routes.filter((r) => !PUBLIC.has(r.path))) {
      for (const method of ["GET", "POST", "DELETE", "PUT"]) {
        const res = await fetch(`${server.url}${route.path}`, { method, redirect: "manual", headers: { Origin: server.origin } });
        const where = `${method} ${route.path}`;
        if (route.kind === "page" && method === "GET") {
          assert.equal(res.status, 303, where);
          assert.match(res.headers.get("location") ?? "", /^\/login/, where);
        } else {
          assert.equal(res.status, 401, where);
          assert.equal(((await res.json()) as { code: string }).code, "unauthorized:auth", where);
        }
        checked++;
      }
    }
    assert.ok(checked >= 40);
  });

  it("the single sign-on routes are open but, with no provider set up, answer 404 and set no cookie", async () => {
    for (const p of ["/api/auth/oidc/start?next=/docker", "/api/auth/oidc/callback?code=x&state=y"]) {
      const res = await fetch(`${server.url}${p}`, { redirect: "manual" });
      assert.equal(res.status, 404, p);
      assert.equal(((await res.json()) as { code: string }).code, "not_found:oidc", p);
      assert.equal(res.headers.get("set-cookie"), null, p);
    }
  });

  it("every server action answers 401 without a session", async () => {
    const actions = builtActions();
    assert.ok(actions.length >= 6, `found ${actions.length} actions`);
    for (const action of actions) {
      const res = await fetch(`${server.url}/docker`, {
        method: "POST",
        headers: { "Next-Action": action.id, Origin: server.origin, "Content-Type": "text/plain;charset=UTF-8" },
        body: JSON.stringify(["x"]),
      });
      assert.equal(res.status, 401, action.name);
    }
  });

  it("a server action with a valid cookie from a foreign Origin is refused", async () => {
    const cookie = await loginCookie(server);
    const [action] = builtActions();
    const res = await fetch(`${server.url}/docker`, {
      method: "POST",
      headers: { "Next-Action": action.id, Origin: "http://evil.example", Cookie: cookie },
      body: "[]",
    });
    assert.equal(res.status, 403);
  });

  it("every socket event is out of reach: the handshake refuses no credential, a wrong token and a foreign Origin", async () => {
    const cookie = await loginCookie(server);
    const attempt = (headers: Record<string, string>) =>
      new Promise<string>((resolve) => {
        const socket = connect(`${server.url}/terminal`, { transports: ["websocket"], extraHeaders: headers, reconnection: false, forceNew: true });
        socket.on("connect", () => {
          socket.disconnect();
          resolve("connected");
        });
        socket.on("connect_error", (err) => resolve(err.message));
      });
    for (const headers of [{} as Record<string, string>, { Authorization: "Bearer not-the-token-000000" }, { Cookie: cookie, Origin: "http://evil.example" }, { Cookie: cookie }]) {
      assert.notEqual(await attempt(headers), "connected", JSON.stringify(headers));
    }
    assert.equal(await attempt({ Cookie: cookie, Origin: server.origin }), "connected");
  });

  it("session cookies are HttpOnly and SameSite=Strict (Secure behind HTTPS: see hardening-auth.test.ts)", async () => {
    const login = (headers: Record<string, string>) =>
      fetch(`${server.url}/api/auth/login`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify({ token: server.token }) });
    const plain = (await login({})).headers.get("set-cookie")!;
    assert.match(plain, /HttpOnly/);
    assert.match(plain, /SameSite=Strict/);
    assert.doesNotMatch(plain, /Secure/);
  });

  it("sends a CSP that forbids framing, nosniff and a referrer policy on pages and APIs", async () => {
    for (const p of ["/login", "/api/health", "/api/containers"]) {
      const res = await fetch(`${server.url}${p}`);
      const csp = res.headers.get("content-security-policy") ?? "";
      assert.match(csp, /frame-ancestors 'none'/, p);
      assert.match(csp, /default-src 'self'/, p);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff", p);
      assert.ok(res.headers.get("referrer-policy"), p);
    }
  });
});

describe("failed logins are rate-limited", () => {
  it("after 10 wrong tokens from one address even the right one waits, with Retry-After", async () => {
    const own = await startServer();
    try {
      const attempt = (token: string) =>
        fetch(`${own.url}/api/auth/login`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token }) });
      for (let i = 0; i < 10; i++) assert.equal((await attempt(`wrong-${i}`)).status, 401);
      const blocked = await attempt("wrong-again");
      assert.equal(blocked.status, 429);
      assert.ok(Number(blocked.headers.get("retry-after")) > 0);
      assert.equal((await attempt(own.token)).status, 429);
      // The bearer token used by automation is not a login and is not locked out.
      assert.equal((await fetch(`${own.url}/api/tarballs`, { headers: own.bearer })).status, 200);
    } finally {
      await own.stop();
    }
  });
});

describe("the audit log", () => {
  it("records every mutating action and shell session as JSON lines: session, action, target, result, time", async () => {
    const name = uniqueName("audit");
    const cookie = await loginCookie(server);
    const browser = { Cookie: cookie, Origin: server.origin };
    try {
      const create = await fetch(`${server.url}/api/containers`, {
        method: "POST",
        headers: { ...server.bearer, "Content-Type": "application/json" },
        body: JSON.stringify({ image: LOCAL_IMAGE, name }),
      });
      assert.match(await create.text(), /"type":"done"/);
      assert.equal((await fetch(`${server.url}/api/containers/${name}/stop`, { method: "POST", headers: browser })).status, 200);
      assert.equal((await fetch(`${server.url}/api/containers/${name}/start`, { method: "POST", headers: browser })).status, 200);
      assert.equal((await fetch(`${server.url}/api/tarballs/not-a-tarball`, { method: "DELETE", headers: browser })).status, 400);

      const socket = connect(`${server.url}/terminal`, { transports: ["websocket"], extraHeaders: browser, reconnection: false, forceNew: true });
      const ack = await socket.timeout(10_000).emitWithAck("open", { container: name, cols: 80, rows: 24 });
      assert.equal(ack.ok, true);
      socket.disconnect();
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal((await fetch(`${server.url}/api/containers/${name}`, { method: "DELETE", headers: browser })).status, 200);

      const lines = fs
        .readFileSync(path.join(server.dataDir, "audit.log"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { time: string; session: string; action: string; target: string; result: string; detail?: string });
      const mine = lines.filter((l) => l.target.includes(name) || l.action === "tarball.delete" || l.action === "login");
      const sessionId = `session:${decodeURIComponent(cookie.split("=")[1]).split(".")[2]}`;
      const find = (action: string, result = "ok") => mine.find((l) => l.action === action && l.result === result);
      assert.equal(find("container.create")?.session, "bearer");
      assert.equal(find("container.stop")?.session, sessionId);
      assert.equal(find("container.start")?.session, sessionId);
      assert.equal(find("container.delete")?.session, sessionId);
      assert.match(find("tarball.delete", "error")?.detail ?? "", /Not a tarball file name/);
      assert.equal(find("shell.open")?.target, name);
      // A dropped connection leaves the shell waiting for a resume (HAKURIVER_SHELL_GRACE_SECONDS).
      assert.match(find("shell.detach")?.detail ?? "", /disconnected/);
      assert.ok(mine.some((l) => l.action === "login" && l.session === sessionId));
      for (const l of mine) assert.ok(!Number.isNaN(Date.parse(l.time)), l.time);
      assert.equal(fs.statSync(path.join(server.dataDir, "audit.log")).mode & 0o777, 0o600);
    } finally {
      await removeContainer(name);
    }
  });
});

describe("behind a trusted reverse proxy (HAKURIVER_TRUST_PROXY=1)", () => {
  it("limits failed logins per forwarded client, and checks Origin against the forwarded host", async () => {
    const own = await startServer({ HAKURIVER_TRUST_PROXY: "1" });
    try {
      const login = (client: string, token: string) =>
        fetch(`${own.url}/api/auth/login`, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Forwarded-For": client },
          body: JSON.stringify({ token }),
        });
      for (let i = 0; i < 10; i++) assert.equal((await login("198.51.100.1", `wrong-${i}`)).status, 401);
      assert.equal((await login("198.51.100.1", own.token)).status, 429, "the guessing client is blocked");
      const other = await login("198.51.100.2", own.token);
      assert.equal(other.status, 200, "another client behind the same proxy is not");

      const cookie = other.headers.get("set-cookie")!.split(";")[0];
      const proxied = { Cookie: cookie, Origin: "https://dash.example.org", "X-Forwarded-Host": "dash.example.org", "X-Forwarded-Proto": "https" };
      assert.equal((await fetch(`${own.url}/api/tarballs/x-1.tar`, { method: "DELETE", headers: proxied })).status, 404);
      const forged = { ...proxied, Origin: "https://evil.example" };
      assert.equal((await fetch(`${own.url}/api/tarballs/x-1.tar`, { method: "DELETE", headers: forged })).status, 403);
      const handshake = await new Promise<string>((resolve) => {
        const s = connect(`${own.url}/terminal`, { transports: ["websocket"], extraHeaders: proxied, reconnection: false, forceNew: true });
        s.on("connect", () => {
          s.disconnect();
          resolve("connected");
        });
        s.on("connect_error", (err) => resolve(err.message));
      });
      assert.equal(handshake, "connected");
    } finally {
      await own.stop();
    }
  });

  it("without it, a client's X-Forwarded-For does not dodge the limiter", async () => {
    const own = await startServer();
    try {
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`${own.url}/api/auth/login`, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Forwarded-For": `203.0.113.${i}` },
          body: JSON.stringify({ token: `wrong-${i}` }),
        });
        assert.equal(res.status, 401);
      }
      const res = await fetch(`${own.url}/api/auth/login`, { method: "POST", headers: { "Content-Type": "application/json", "X-Forwarded-For": "203.0.113.99" }, body: JSON.stringify({ token: own.token }) });
      assert.equal(res.status, 429);
    } finally {
      await own.stop();
    }
  });
});
