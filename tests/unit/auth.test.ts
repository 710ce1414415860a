import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decide, normaliseProxyHeaders } from "@/lib/auth/gate";
import { FailureLimiter } from "@/lib/auth/rate-limit";
import { safeNextPath } from "@/lib/auth/redirect";
import {
  SESSION_COOKIE,
  authenticate,
  bearerToken,
  clearedSessionCookie,
  createSessionValue,
  originMatchesHost,
  readCookie,
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
    const cookie = `${SESSION_COOKIE}=${createSessionValue(TOKEN)}`;
    assert.equal(authenticate(TOKEN, { cookie }), "cookie");
    assert.equal(authenticate(TOKEN, { authorization: `Bearer ${TOKEN}` }), "bearer");
    assert.equal(authenticate(TOKEN, { authorization: "Bearer wrong", cookie }), undefined, "a wrong bearer is not rescued by a cookie");
    assert.equal(authenticate(TOKEN, {}), undefined);
  });

  it("compares Origin with Host", () => {
    assert.equal(originMatchesHost("http://127.0.0.1:3000", "127.0.0.1:3000"), true);
    assert.equal(originMatchesHost("http://evil.example", "127.0.0.1:3000"), false);
    assert.equal(originMatchesHost(null, "127.0.0.1:3000"), false);
  });

  it("sends people back only to paths on this site", () => {
    assert.equal(safeNextPath("/docker?tab=tarballs"), "/docker?tab=tarballs");
    for (const bad of ["https://evil.example/", "//evil.example", "/\\evil", "/\t/evil.example", "/\n/evil.example", "", null, "/login?x"]) {
      assert.equal(safeNextPath(bad), "/docker", String(bad));
    }
  });
});

describe("the request gate", () => {
  const cookie = `${SESSION_COOKIE}=${createSessionValue(TOKEN)}`;
  const req = (method: string, url: string, headers: Record<string, string> = {}) => ({ method, url, headers: { host: "h:1", ...headers } });

  it("lets the login page, health and static assets through without a session", () => {
    for (const url of ["/login", "/login?token=x", "/api/health", "/api/auth/login", "/_next/static/chunks/a.js"]) {
      assert.deepEqual(decide(req("GET", url), TOKEN), { action: "pass" }, url);
    }
  });

  it("redirects pages to /login and answers 401 to APIs and server actions", () => {
    assert.deepEqual(decide(req("GET", "/docker?tab=tarballs"), TOKEN), { action: "redirect", location: "/login?next=%2Fdocker%3Ftab%3Dtarballs" });
    assert.equal(decide(req("GET", "/api/containers"), TOKEN).action, "deny");
    const action = decide(req("POST", "/docker", { "next-action": "abc" }), TOKEN);
    assert.equal(action.action === "deny" && action.status, 401);
  });

  it("answers a malformed URL with 400 instead of throwing", () => {
    const decision = decide(req("GET", "http://[/login"), TOKEN);
    assert.equal(decision.action === "deny" && decision.status, 400);
  });

  it("refuses cross-origin writes made with the cookie, not with the bearer token", () => {
    const cross = decide(req("POST", "/docker", { cookie, origin: "http://evil.example" }), TOKEN);
    assert.equal(cross.action === "deny" && cross.status, 403);
    assert.deepEqual(decide(req("POST", "/docker", { cookie, origin: "http://h:1" }), TOKEN), { action: "pass" });
    assert.deepEqual(decide(req("POST", "/api/containers", { authorization: `Bearer ${TOKEN}` }), TOKEN), { action: "pass" });
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
    normaliseProxyHeaders(headers, "10.0.0.9", false);
    assert.equal(headers["x-hakuriver-client-ip"], "10.0.0.9");
    assert.equal(headers.host, "10.0.0.5:3000");
  });

  it("take the address the proxy appended and the host the browser used when trusted", () => {
    const headers: Record<string, string | string[] | undefined> = { host: "127.0.0.1:3000", "x-forwarded-for": "1.1.1.1, 203.0.113.7", "x-forwarded-host": "dash.example.org" };
    normaliseProxyHeaders(headers, "127.0.0.1", true);
    assert.equal(headers["x-hakuriver-client-ip"], "203.0.113.7");
    assert.equal(headers.host, "dash.example.org");
  });
});
