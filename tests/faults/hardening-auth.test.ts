import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { io as connect } from "socket.io-client";
import { LOCAL_IMAGE, engine, removeContainer, uniqueName } from "../helpers/docker";
import { loginCookie, startServer, type TestServer } from "../helpers/server";

/**
 * Issue 10, the door: body limits while reading, Engine.IO sessions bound to the login that made
 * them, Origin checks on login and logout, sessions that really end, and the smaller findings.
 * Each block reproduces the attack from the issue against the production server.
 */

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m![1]) * 1024;
}

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Body bytes the client had written when the answer arrived. */
  sentWhenAnswered: number;
}

/**
 * Sends `total` bytes (chunked unless contentLength is given) in 64 KiB pieces, and resolves with
 * the first answer, whether or not the body was all sent. With `stall`, only that many bytes are
 * sent and the body is then left hanging: the answer must come without the rest.
 */
function sendBody(
  url: string,
  options: { total: number; headers?: Record<string, string>; contentLength?: number; stall?: number; timeoutMs?: number },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "Content-Type": "application/json", ...options.headers };
    if (options.contentLength !== undefined) headers["Content-Length"] = String(options.contentLength);
    const req = http.request(url, { method: "POST", headers, agent: false });
    let sent = 0;
    let answered = false;
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${options.timeoutMs ?? 60_000} ms (client had sent ${sent} bytes)`));
    }, options.timeoutMs ?? 60_000);
    req.on("response", (res) => {
      answered = true;
      const sentWhenAnswered = sent;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      const done = () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, sentWhenAnswered });
      };
      res.on("end", done);
      res.on("error", done);
    });
    req.on("error", (err) => {
      if (!answered) {
        clearTimeout(timer);
        reject(err);
      }
    });
    req.flushHeaders();
    const chunk = Buffer.alloc(64 * 1024, "a");
    const limit = options.stall ?? options.total;
    const pump = () => {
      while (!answered && sent < limit) {
        const piece = chunk.subarray(0, Math.min(chunk.length, limit - sent));
        sent += piece.length;
        if (!req.write(piece)) return void req.once("drain", pump);
      }
      if (!answered && options.stall === undefined) req.end();
    };
    pump();
  });
}

describe("finding 1: request bodies are limited while they are read", () => {
  it("a 300 MiB body streamed to /api/auth/login gets 413 while the server grows < 64 MiB", async () => {
    const pid = server.process.pid!;
    const base = rssBytes(pid);
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 20);
    let answer: RawAnswer;
    try {
      answer = await sendBody(`${server.url}/api/auth/login`, { total: 300 * 1024 * 1024 });
      // Give a slow reader time to show its growth before judging.
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      clearInterval(sampler);
    }
    const growth = peak - base;
    assert.ok(growth < 64 * 1024 * 1024, `RSS grew by ${(growth / 2 ** 20).toFixed(1)} MiB`);
    assert.equal(answer.status, 413);
    const body = JSON.parse(answer.body) as { error: string; code: string };
    assert.equal(body.code, "too_large:body");
    assert.match(body.error, /too large|larger than/i);
    assert.equal((await fetch(`${server.url}/api/health`)).status, 200, "still serving");
  });

  it("a declared oversized body is answered 413 before it is sent", async () => {
    const answer = await sendBody(`${server.url}/api/auth/login`, {
      total: 300 * 1024 * 1024,
      contentLength: 300 * 1024 * 1024,
      stall: 64 * 1024,
      timeoutMs: 10_000,
    });
    assert.equal(answer.status, 413);
  });

  it("every route has a limit: 2 MiB chunked to an API route and to a server action get 413", async () => {
    for (const [url, headers] of [
      [`${server.url}/api/tarballs/jobs`, server.bearer],
      [`${server.url}/docker`, { ...server.bearer, "Next-Action": "0".repeat(42), "Content-Type": "text/plain;charset=UTF-8" }],
    ] as const) {
      const answer = await sendBody(url, { total: 2 * 1024 * 1024, headers });
      assert.equal(answer.status, 413, url);
      assert.equal((JSON.parse(answer.body) as { code: string }).code, "too_large:body", url);
    }
  });

  it("a rate-limited client gets 429 without its body being read", async () => {
    const own = await startServer();
    try {
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`${own.url}/api/auth/login`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token: `wrong-${i}` }) });
        assert.equal(res.status, 401);
      }
      // A small declared body that never arrives: reading it would hang until the client gives up.
      const answer = await sendBody(`${own.url}/api/auth/login`, { total: 4096, contentLength: 4096, stall: 0, timeoutMs: 10_000 });
      assert.equal(answer.status, 429);
      assert.ok(Number(answer.headers["retry-after"]) > 0);
      assert.equal(answer.sentWhenAnswered, 0);
    } finally {
      await own.stop();
    }
  });
});

/** An Engine.IO polling request, raw: what a client holding only the sid can send. */
async function poll(method: "GET" | "POST", query: string, headers: Record<string, string>, body?: string) {
  const res = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling${query}`, {
    method,
    headers: { ...headers, ...(body ? { "Content-Type": "text/plain;charset=UTF-8" } : {}) },
    body,
    signal: AbortSignal.timeout(5_000),
  }).catch((err: Error) => ({ status: 0, text: async () => err.message }));
  return { status: res.status, text: await res.text() };
}

/** A raw WebSocket upgrade; resolves with 101 when the server upgraded, else the status or 0 for a dropped socket. */
function upgrade(query: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(`${server.url}/socket.io/?EIO=4&transport=websocket${query}`, {
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": randomBytes(16).toString("base64"),
        ...headers,
      },
      agent: false,
    });
    req.on("upgrade", (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", () => resolve(0));
    req.setTimeout(5_000, () => req.destroy());
    req.end();
  });
}

describe("finding 2: the Engine.IO session id is not a credential", () => {
  let container: string;
  before(async () => {
    container = uniqueName("sid");
    const c = await engine.createContainer({ name: container, Image: LOCAL_IMAGE, Cmd: ["sleep", "infinity"], HostConfig: { Init: true } });
    await c.start();
  });
  after(async () => {
    await removeContainer(container);
  });

  it("a second client with only the sid (no cookie, foreign Origin, or another session) is refused on polling and upgrade, and opens no shell", async () => {
    const cookie = await loginCookie(server);
    const browser = { Cookie: cookie, Origin: server.origin };
    const handshake = await poll("GET", "", browser);
    assert.equal(handshake.status, 200, handshake.text);
    const sid = (JSON.parse(handshake.text.slice(1)) as { sid: string }).sid;
    assert.equal((await poll("POST", `&sid=${sid}`, browser, "40/terminal,")).status, 200);
    assert.match((await poll("GET", `&sid=${sid}`, browser)).text, /^40\/terminal,/);

    const openShell = `42/terminal,0["open",${JSON.stringify({ container, cols: 80, rows: 24 })}]`;
    const otherSession = { Cookie: await loginCookie(server), Origin: server.origin };
    const thieves: [string, Record<string, string>][] = [
      ["no cookie, foreign Origin", { Origin: "http://evil.example" }],
      ["no cookie, no Origin", {}],
      ["the cookie from a foreign Origin", { Cookie: cookie, Origin: "http://evil.example" }],
      ["another valid session", otherSession],
    ];
    // Refused means an HTTP error at once; a GET left waiting for packets (status 0 here) was let in.
    for (const [who, headers] of thieves) {
      const post = await poll("POST", `&sid=${sid}`, headers, openShell);
      assert.ok(post.status >= 400, `${who}: polling POST answered ${post.status} ${post.text}`);
      const get = await poll("GET", `&sid=${sid}`, headers);
      assert.ok(get.status >= 400, `${who}: polling GET answered ${get.status} ${get.text}`);
      assert.notEqual(await upgrade(`&sid=${sid}`, headers), 101, `${who}: WebSocket upgrade`);
    }

    await new Promise((r) => setTimeout(r, 1000));
    const audit = fs.readFileSync(path.join(server.dataDir, "audit.log"), "utf8");
    assert.ok(!audit.split("\n").some((l) => l.includes('"shell.open"') && l.includes(container)), "no shell was opened");
    const top = (await engine.getContainer(container).top()) as { Processes: string[][] };
    assert.ok(top.Processes.every((p) => !/\b(ba)?sh\b/.test(p.join(" "))), JSON.stringify(top.Processes));

    // The rightful client still works, and can upgrade its own session.
    assert.equal((await poll("POST", `&sid=${sid}`, browser, "3")).status, 200);
    assert.equal(await upgrade(`&sid=${sid}`, browser), 101);
  });
});

describe("finding 6: login and logout refuse foreign origins", () => {
  it("a foreign page cannot lock the user out with wrong tokens, by POST or by a login link", async () => {
    const own = await startServer();
    try {
      for (let i = 0; i < 12; i++) {
        const res = await fetch(`${own.url}/api/auth/login`, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "http://evil.example" },
          body: `token=wrong-${i}`,
          redirect: "manual",
        });
        assert.equal(res.status, 403, `attempt ${i}`);
        const link = await fetch(`${own.url}/api/auth/login?token=wrong-${i}`, { headers: { "Sec-Fetch-Site": "cross-site" }, redirect: "manual" });
        assert.equal(link.status, 403, `link ${i}`);
      }
      const real = await fetch(`${own.url}/api/auth/login`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Origin: own.origin },
        body: JSON.stringify({ token: own.token }),
      });
      assert.equal(real.status, 200, "the real user is not locked out");
      assert.equal(JSON.parse(fs.readFileSync(path.join(own.dataDir, "audit.log"), "utf8").trim().split("\n").at(-1)!).result, "ok");
    } finally {
      await own.stop();
    }
  });

  it("a foreign page cannot log the user out", async () => {
    const cookie = await loginCookie(server);
    const res = await fetch(`${server.url}/api/auth/logout`, { method: "POST", headers: { Cookie: cookie, Origin: "http://evil.example" }, redirect: "manual" });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get("set-cookie"), null);
    assert.equal((await fetch(`${server.url}/api/containers`, { headers: { Cookie: cookie } })).status, 200, "the session still works");
  });
});

describe("finding 7: logging out ends the session on the server", () => {
  it("a cookie replayed after logout is refused, also after a restart", async () => {
    const own = await startServer();
    let current = own;
    try {
      const cookie = await loginCookie(own);
      const kept = await loginCookie(own);
      assert.equal((await fetch(`${own.url}/api/containers`, { headers: { Cookie: cookie } })).status, 200);
      const out = await fetch(`${own.url}/api/auth/logout`, { method: "POST", headers: { Cookie: cookie, Origin: own.origin }, redirect: "manual" });
      assert.equal(out.status, 303);
      assert.equal((await fetch(`${own.url}/api/containers`, { headers: { Cookie: cookie } })).status, 401, "replayed after logout");
      assert.equal((await fetch(`${own.url}/docker`, { headers: { Cookie: cookie }, redirect: "manual" })).status, 303, "pages too");
      assert.equal((await fetch(`${own.url}/api/containers`, { headers: { Cookie: kept } })).status, 200, "other sessions are untouched");
      await own.stop();
      current = await own.restart();
      assert.equal((await fetch(`${current.url}/api/containers`, { headers: { Cookie: cookie } })).status, 401, "after a restart");
      assert.equal((await fetch(`${current.url}/api/containers`, { headers: { Cookie: kept } })).status, 200);
    } finally {
      await current.stop();
    }
  });

  it("log out everywhere ends every session and disconnects their sockets; the bearer token and new logins still work", async () => {
    const own = await startServer();
    let current = own;
    try {
      const a = await loginCookie(own);
      const b = await loginCookie(own);
      const socket = connect(`${own.url}/terminal`, { transports: ["websocket"], extraHeaders: { Cookie: b, Origin: own.origin }, reconnection: false, forceNew: true });
      await new Promise<void>((resolve, reject) => {
        socket.on("connect", () => resolve());
        socket.on("connect_error", reject);
      });
      const disconnected = new Promise<string>((resolve) => socket.on("disconnect", (reason) => resolve(reason)));

      assert.equal((await fetch(`${own.url}/api/auth/logout-everywhere`, { method: "POST", headers: { Cookie: a, Origin: "http://evil.example" } })).status, 403);
      const res = await fetch(`${own.url}/api/auth/logout-everywhere`, { method: "POST", headers: { Cookie: a, Origin: own.origin }, redirect: "manual" });
      assert.equal(res.status, 303);
      assert.match(res.headers.get("set-cookie") ?? "", /Max-Age=0/);
      for (const cookie of [a, b]) assert.equal((await fetch(`${own.url}/api/containers`, { headers: { Cookie: cookie } })).status, 401);
      await Promise.race([disconnected, new Promise((_, reject) => setTimeout(() => reject(new Error("socket of a revoked session still open")), 5_000))]);
      assert.equal((await fetch(`${own.url}/api/containers`, { headers: own.bearer })).status, 200);
      const fresh = await loginCookie(own);
      assert.equal((await fetch(`${own.url}/api/containers`, { headers: { Cookie: fresh } })).status, 200);

      await own.stop();
      current = await own.restart();
      assert.equal((await fetch(`${current.url}/api/containers`, { headers: { Cookie: b } })).status, 401, "after a restart");
      assert.equal((await fetch(`${current.url}/api/containers`, { headers: { Cookie: fresh } })).status, 200);
    } finally {
      await current.stop();
    }
  });
});

describe("finding 10: the smaller ones", () => {
  it("Origin must match the scheme too", async () => {
    const cookie = await loginCookie(server);
    const port = new URL(server.url).port;
    const del = (origin: string) => fetch(`${server.url}/api/tarballs/x-1.tar`, { method: "DELETE", headers: { Cookie: cookie, Origin: origin } });
    assert.equal((await del(`https://127.0.0.1:${port}`)).status, 403);
    assert.equal((await del(server.origin)).status, 404);
  });

  it("the cookie is Secure from X-Forwarded-Proto only behind a trusted proxy", async () => {
    const login = (url: string) =>
      fetch(`${url}/api/auth/login`, { method: "POST", headers: { "Content-Type": "application/json", "X-Forwarded-Proto": "https" }, body: JSON.stringify({ token: server.token }) });
    assert.doesNotMatch((await login(server.url)).headers.get("set-cookie")!, /Secure/);
    const proxied = await startServer({ HAKURIVER_TRUST_PROXY: "1" });
    try {
      assert.match((await login(proxied.url)).headers.get("set-cookie")!, /; Secure/);
    } finally {
      await proxied.stop();
    }
  });

  it("writes to static files and metadata routes are refused, never 500", async () => {
    for (const p of ["/icon.svg", "/favicon.ico", "/_next/static/x.js", "/login"]) {
      for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
        const res = await fetch(`${server.url}${p}`, { method, headers: { Origin: server.origin }, redirect: "manual" });
        assert.ok(res.status < 500, `${method} ${p} answered ${res.status}`);
      }
    }
    assert.equal((await fetch(`${server.url}/icon.svg`)).status, 200);
  });

  it("/api/health tells the engine version only to a logged-in caller", async () => {
    const anonymous = (await (await fetch(`${server.url}/api/health`)).json()) as { ok: boolean; docker: Record<string, unknown> };
    assert.equal(anonymous.ok, true);
    assert.equal(anonymous.docker.reachable, true);
    assert.equal(anonymous.docker.version, null);
    const known = (await (await fetch(`${server.url}/api/health`, { headers: server.bearer })).json()) as { docker: { version?: string } };
    assert.match(known.docker.version ?? "", /^\d+\.\d+/);
  });

  it("a container with a 200-character name is listed in full and can be stopped, started and deleted", async () => {
    const name = `${uniqueName("long")}-${"x".repeat(200)}`.slice(0, 200);
    const c = await engine.createContainer({ name, Image: LOCAL_IMAGE, Cmd: ["sleep", "infinity"], HostConfig: { Init: true } });
    try {
      await c.start();
      const list = (await (await fetch(`${server.url}/api/containers?all=1`, { headers: server.bearer })).json()) as { containers: { name: string }[] };
      assert.ok(list.containers.some((x) => x.name === name));
      const act = async (method: string, suffix: string) => {
        const res = await fetch(`${server.url}/api/containers/${name}${suffix}`, { method, headers: server.bearer });
        assert.equal(res.status, 200, `${method} ${suffix}: ${await res.text()}`);
      };
      await act("POST", "/stop");
      await act("POST", "/start");
      const page = await (await fetch(`${server.url}/docker?all=1&q=${encodeURIComponent(name.slice(0, 40))}`, { headers: { Cookie: await loginCookie(server) } })).text();
      assert.ok(page.includes(`>${name}</span>`), "the row shows the full name, not a cut one with the rest on hover");
      await act("DELETE", "");
      await assert.rejects(c.inspect(), "deleted");
    } finally {
      await removeContainer(name);
    }
  });
});
