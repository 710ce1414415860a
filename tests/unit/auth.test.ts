import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { authorise } from "@/lib/auth/authorise";
import { decide, normaliseProxyHeaders } from "@/lib/auth/gate";
import { FailureLimiter } from "@/lib/auth/rate-limit";
import { safeNextPath } from "@/lib/auth/redirect";
import { SessionRevocations } from "@/lib/auth/revocation";
import {
  SESSION_COOKIE,
  bearerToken,
  clearedSessionCookie,
  createSessionValue,
  originMatchesHost,
  fromForeignPage,
  fromOwnOrigin,
  readCookie,
  readSession,
  sessionCookie,
  tokenMatches,
  verifySessionValue,
} from "@/lib/auth/session";

const TOKEN = "a-test-token-of-enough-length";

describe("tokens and session cookies", () => {
  it("matches only the exact token", () => {
    assert.equal(tokenMatches(TOKEN, TOKEN), true);
    assert.equal(tokenMatches(`${TOKEN}x`, TOKEN), false);
    assert.equal(tokenMatches("", TOKEN), false);
    assert.equal(tokenMatches(undefined, TOKEN), false);
  });

  it("accepts a fresh signed session and refuses tampered, foreign and expired ones", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const value = createSessionValue(TOKEN, now, 60);
    assert.equal(verifySessionValue(TOKEN, value, now), true);
    assert.equal(verifySessionValue("another-token-entirely!", value, now), false, "signed with another token");
    assert.equal(verifySessionValue(TOKEN, value, now + 61_000), false, "expired");
    const [v, exp, nonce, sig] = value.split(".");
    assert.equal(verifySessionValue(TOKEN, [v, Number(exp) + 1000, nonce, sig].join("."), now), false, "extended expiry");
    assert.equal(verifySessionValue(TOKEN, "garbage", now), false);
  });

  it("sets HttpOnly and SameSite=Strict always, and Secure behind HTTPS", () => {
    const plain = sessionCookie("v", { secure: false });
    assert.match(plain, /HttpOnly/);
    assert.match(plain, /SameSite=Strict/);
    assert.doesNotMatch(plain, /Secure/);
    assert.match(sessionCookie("v", { secure: true }), /; Secure/);
    assert.match(clearedSessionCookie({ secure: false }), /Max-Age=0/);
  });

  it("reads bearer tokens and cookies from headers", () => {
    assert.equal(bearerToken(`Bearer ${TOKEN}`), TOKEN);
    assert.equal(bearerToken("Basic abc"), undefined);
    assert.equal(readCookie(`a=1; ${SESSION_COOKIE}=xyz; b=2`, SESSION_COOKIE), "xyz");
  });

  it("compares Origin with the scheme and host the browser used", () => {
    assert.equal(originMatchesHost("http://127.0.0.1:3000", "127.0.0.1:3000", "http"), true);
    assert.equal(originMatchesHost("https://127.0.0.1:3000", "127.0.0.1:3000", "http"), false, "scheme");
    assert.equal(originMatchesHost("http://127.0.0.1:3000", "127.0.0.1:3000", "https"), false, "scheme");
    assert.equal(originMatchesHost("https://dash.example", "dash.example:443", "https"), true, "default port");
    assert.equal(originMatchesHost("http://evil.example", "127.0.0.1:3000", "http"), false);
    assert.equal(originMatchesHost(null, "127.0.0.1:3000", "http"), false);
    assert.equal(originMatchesHost("http://127.0.0.1:3000", "127.0.0.1:3000", undefined), false, "no scheme known");
  });

  it("tells own pages, other sites' pages and scripts apart", () => {
    const here = { host: "h:1", "x-hakuriver-proto": "http" };
    assert.equal(fromOwnOrigin({ ...here, origin: "http://h:1" }), true);
    assert.equal(fromOwnOrigin({ ...here, "sec-fetch-site": "same-origin" }), true, "same-origin GETs carry no Origin");
    assert.equal(fromOwnOrigin({ ...here }), false);
    assert.equal(fromForeignPage({ ...here, origin: "null" }), true);
    assert.equal(fromForeignPage({ ...here, "sec-fetch-site": "cross-site" }), true);
    assert.equal(fromForeignPage({ ...here, "sec-fetch-site": "same-site" }), true);
    assert.equal(fromForeignPage({ ...here, "sec-fetch-site": "none" }), false, "a typed or pasted URL");
    assert.equal(fromForeignPage({ ...here }), false, "a script");
  });

  it("reads v2 sessions with their generation and v1 ones as generation 0", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const v2 = readSession(TOKEN, createSessionValue(TOKEN, now, 60, 7), now);
    assert.equal(v2?.generation, 7);
    assert.equal(v2?.expires, now / 1000 + 60);
    const [, exp, nonce, , sig] = createSessionValue(TOKEN, now, 60, 7).split(".");
    assert.equal(readSession(TOKEN, ["v2", exp, nonce, "0", sig].join("."), now), undefined, "a lowered generation breaks the signature");
  });

  it("sends people back only to paths on this site", () => {
    assert.equal(safeNextPath("/docker?tab=tarballs"), "/docker?tab=tarballs");
    for (const bad of ["https://evil.example/", "//evil.example", "/\\evil", "/\t/evil.example", "/\n/evil.example", "", null, "/login?x"]) {
      assert.equal(safeNextPath(bad), "/docker", String(bad));
    }
  });
});

describe("authorise: one credential and Origin rule", () => {
  const here = { host: "h:1", "x-hakuriver-proto": "http" };
  const sessions = new SessionRevocations();
  const value = createSessionValue(TOKEN, Date.now(), 60, sessions.generation);
  const cookie = `${SESSION_COOKIE}=${value}`;
  const ask = (method: string, headers: Record<string, string>, sameOrigin?: "always") =>
    authorise(TOKEN, { method, headers: { ...here, ...headers } }, { sessions, sameOrigin });

  it("knows the bearer token and session cookies, and nobody else", () => {
    assert.equal(ask("GET", { cookie }).ok && "cookie", "cookie");
    const bearer = ask("GET", { authorization: `Bearer ${TOKEN}` });
    assert.ok(bearer.ok && bearer.id === "bearer");
    assert.equal(ask("GET", { authorization: "Bearer wrong", cookie }).ok, false, "a wrong bearer is not rescued by a cookie");
    const nobody = ask("GET", {});
    assert.ok(!nobody.ok && nobody.status === 401);
  });

  it("wants our Origin for cookie writes and for every socket request", () => {
    assert.ok(ask("POST", { cookie, origin: "http://h:1" }).ok);
    const foreign = ask("POST", { cookie, origin: "http://evil.example" });
    assert.ok(!foreign.ok && foreign.status === 403);
    assert.equal(ask("POST", { cookie }).ok, false, "no Origin at all");
    assert.equal(ask("GET", { cookie }, "always").ok, false, "a socket request without Origin");
    assert.ok(ask("GET", { cookie, "sec-fetch-site": "same-origin" }, "always").ok, "a same-origin polling GET");
    assert.ok(ask("POST", { authorization: `Bearer ${TOKEN}` }).ok, "scripts with the token send no Origin");
    assert.equal(ask("POST", { authorization: `Bearer ${TOKEN}`, origin: "http://evil.example" }).ok, false);
  });
});

describe("session revocation", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hr-revocation-"));
  const file = path.join(dir, "sessions.json");
  const session = (value: string) => readSession(TOKEN, value)!;

  it("ends one session on logout, and every earlier one everywhere, surviving a restart", () => {
    const store = new SessionRevocations(file);
    const a = session(createSessionValue(TOKEN, Date.now(), 60, store.generation));
    const b = session(createSessionValue(TOKEN, Date.now(), 60, store.generation));
    store.revoke(a);
    assert.equal(store.isRevoked(a), true);
    assert.equal(store.isRevoked(b), false);
    assert.equal(new SessionRevocations(file).isRevoked(a), true, "after a restart");
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);

    const events: unknown[] = [];
    store.onRevoke((r) => events.push(r));
    store.revokeAll();
    assert.equal(store.isRevoked(b), true);
    assert.equal(events.length, 1);
    const c = session(createSessionValue(TOKEN, Date.now(), 60, store.generation));
    assert.equal(store.isRevoked(c), false, "a login after it works");
    const reloaded = new SessionRevocations(file);
    assert.equal(reloaded.isRevoked(b), true);
    assert.equal(reloaded.isRevoked(c), false);
  });

  it("ends every session when its file is damaged (fail closed)", () => {
    const store = new SessionRevocations(file);
    const a = session(createSessionValue(TOKEN, Date.now(), 60, store.generation));
    fs.writeFileSync(file, "{not json");
    const warn = console.warn;
    console.warn = () => {};
    try {
      assert.equal(new SessionRevocations(file).isRevoked(a), true);
    } finally {
      console.warn = warn;
    }
  });
});

describe("the request gate", () => {
  const sessions = new SessionRevocations();
  const cookie = `${SESSION_COOKIE}=${createSessionValue(TOKEN)}`;
  const req = (method: string, url: string, headers: Record<string, string> = {}) => ({
    method,
    url,
    headers: { host: "h:1", "x-hakuriver-proto": "http", "x-hakuriver-client-ip": "10.0.0.1", ...headers },
  });
  const gate = (r: ReturnType<typeof req>, limiter?: FailureLimiter) => decide(r, TOKEN, { sessions, limiter });

  it("lets the login page, health and static assets through without a session", () => {
    for (const url of ["/login", "/login?token=x", "/api/health", "/api/auth/login", "/_next/static/chunks/a.js"]) {
      assert.deepEqual(gate(req("GET", url)), { action: "pass" }, url);
    }
  });

  it("redirects pages to /login and answers 401 to APIs and server actions", () => {
    assert.deepEqual(gate(req("GET", "/docker?tab=tarballs")), { action: "redirect", location: "/login?next=%2Fdocker%3Ftab%3Dtarballs" });
    assert.equal(gate(req("GET", "/api/containers")).action, "deny");
    const action = gate(req("POST", "/docker", { "next-action": "abc" }));
    assert.equal(action.action === "deny" && action.status, 401);
  });

  it("answers a malformed URL with 400 instead of throwing", () => {
    const decision = gate(req("GET", "http://[/login"));
    assert.equal(decision.action === "deny" && decision.status, 400);
  });

  it("answers a path with a malformed percent-encoding with 400, before the credential is even looked at", () => {
    for (const url of ["/api/tarballs/%ZZ", "/api/containers/%E0%A4%A/start", "/api/tarballs/%C0%AF-1.tar/download", "/docker/%"]) {
      const decision = gate(req("GET", url, { authorization: `Bearer ${TOKEN}` }));
      assert.deepEqual(decision.action === "deny" && [decision.status, decision.code], [400, "bad_request:url"], url);
    }
    assert.deepEqual(gate(req("GET", "/api/tarballs/a%20b-1.tar", { authorization: `Bearer ${TOKEN}` })), { action: "pass" }, "a valid escape passes");
  });

  it("refuses cross-origin writes made with the cookie, not with the bearer token", () => {
    const cross = gate(req("POST", "/docker", { cookie, origin: "http://evil.example" }));
    assert.equal(cross.action === "deny" && cross.status, 403);
    assert.deepEqual(gate(req("POST", "/docker", { cookie, origin: "http://h:1" })), { action: "pass" });
    assert.deepEqual(gate(req("POST", "/api/containers", { authorization: `Bearer ${TOKEN}` })), { action: "pass" });
  });

  it("answers writes to static files 405", () => {
    const icon = gate(req("POST", "/icon.svg"));
    assert.equal(icon.action === "deny" && icon.status, 405);
    assert.equal(gate(req("DELETE", "/_next/static/chunks/a.js")).action, "deny");
  });

  it("refuses login and logout from other sites' pages, and login links followed from them", () => {
    for (const [method, url, headers] of [
      ["POST", "/api/auth/login", { origin: "http://evil.example" }],
      ["POST", "/api/auth/logout", { origin: "null" }],
      ["GET", "/api/auth/login?token=x", { "sec-fetch-site": "cross-site" }],
    ] as const) {
      const d = gate(req(method, url, headers));
      assert.equal(d.action === "deny" && d.status, 403, `${method} ${url}`);
    }
    assert.deepEqual(gate(req("POST", "/api/auth/login", { origin: "http://h:1" })), { action: "pass" });
    assert.deepEqual(gate(req("GET", "/api/auth/login?token=x", { "sec-fetch-site": "none" })), { action: "pass" });
  });

  it("refuses a blocked client's login before its body is read: 429 for JSON, back to the form otherwise", () => {
    const limiter = new FailureLimiter(1, 60_000);
    limiter.fail("10.0.0.1");
    const json = gate(req("POST", "/api/auth/login", { "content-type": "application/json" }), limiter);
    assert.ok(json.action === "deny" && json.status === 429 && Number(json.headers?.["Retry-After"]) > 0);
    const form = gate(req("POST", "/api/auth/login", { "content-type": "application/x-www-form-urlencoded" }), limiter);
    assert.ok(form.action === "redirect" && form.location === "/login?error=rate");
    assert.deepEqual(gate(req("POST", "/api/auth/login", { "x-hakuriver-client-ip": "10.0.0.2" }), limiter), { action: "pass" }, "another client");
  });
});

describe("failed-login limiter", () => {
  it("blocks an address after the limit until the window passes", () => {
    const limiter = new FailureLimiter(3, 60_000);
    const t = 1_000_000;
    for (let i = 0; i < 3; i++) limiter.fail("1.2.3.4", t + i);
    assert.ok(limiter.retryAfter("1.2.3.4", t + 10) > 0);
    assert.equal(limiter.retryAfter("5.6.7.8", t + 10), 0, "other addresses are not affected");
    assert.equal(limiter.retryAfter("1.2.3.4", t + 61_000), 0);
    limiter.fail("9.9.9.9", t);
    limiter.succeed("9.9.9.9");
    assert.equal(limiter.retryAfter("9.9.9.9", t), 0);
  });
});

describe("proxy headers", () => {
  it("ignore a client's X-Forwarded-* unless the proxy is trusted", () => {
    const headers: Record<string, string | string[] | undefined> = { host: "10.0.0.5:3000", "x-forwarded-for": "6.6.6.6", "x-forwarded-host": "evil.example", "x-hakuriver-client-ip": "forged" };
    headers["x-forwarded-proto"] = "https";
    normaliseProxyHeaders(headers, "10.0.0.9", false);
    assert.equal(headers["x-hakuriver-client-ip"], "10.0.0.9");
    assert.equal(headers.host, "10.0.0.5:3000");
    assert.equal(headers["x-hakuriver-proto"], "http");
    assert.equal(headers["x-forwarded-proto"], undefined, "removed so that nothing later believes it");
    normaliseProxyHeaders(headers, "10.0.0.9", false, true);
    assert.equal(headers["x-hakuriver-proto"], "https", "TLS on our own socket");
  });

  it("take the address the proxy appended and the host the browser used when trusted", () => {
    const headers: Record<string, string | string[] | undefined> = { host: "127.0.0.1:3000", "x-forwarded-for": "1.1.1.1, 203.0.113.7", "x-forwarded-host": "dash.example.org", "x-forwarded-proto": "https" };
    normaliseProxyHeaders(headers, "127.0.0.1", true);
    assert.equal(headers["x-hakuriver-client-ip"], "203.0.113.7");
    assert.equal(headers.host, "dash.example.org");
    assert.equal(headers["x-hakuriver-proto"], "https");
  });
});
