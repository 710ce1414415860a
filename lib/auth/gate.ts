import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { routeRole } from "@/lib/shared/roles";
import { authorise } from "./authorise";
import type { PeopleStore } from "./people";
import { permit } from "./permit";
import { FailureLimiter, loginLimiter } from "./rate-limit";
import type { SessionRevocations } from "./revocation";
import { fromForeignPage } from "./session";

/**
 * The door every HTTP request passes before Next sees it (server.ts calls it), before any body is
 * read. Pages without a session redirect to /login, APIs and server actions answer 401 JSON,
 * cookie-authenticated requests that change things must come from our own origin, login and
 * logout refuse other sites' pages, a client the login limiter blocks gets 429 at once. Pages,
 * route handlers and actions check the session again themselves (lib/auth/next.ts): this gate is
 * the outer wall, not the only one.
 */

const LOGIN = "/api/auth/login";
const LOGOUT = "/api/auth/logout";
/** Files Next serves as they are: read-only. */
const STATIC_EXACT = new Set(["/favicon.ico", "/icon.svg"]);
const STATIC_PREFIX = ["/_next/static/"];
const SET_PASSWORD = "/api/auth/set-password";
/** Single sign-on (lib/auth/oidc.ts): the provider's site sends the browser to the callback. */
const SSO = ["/api/auth/oidc/start", "/api/auth/oidc/callback"];
const PUBLIC_EXACT = new Set(["/login", "/set-password", "/api/health", LOGIN, LOGOUT, SET_PASSWORD, ...SSO]);
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const READ_METHODS = new Set(["GET", "HEAD"]);

export type GateDecision =
  | { action: "pass" }
  | { action: "redirect"; location: string; headers?: Record<string, string> }
  | { action: "deny"; status: 400 | 401 | 403 | 405 | 429; code: string; error: string; headers?: Record<string, string> };

export interface GateRequest {
  method: string;
  url: string;
  headers: {
    authorization?: string;
    cookie?: string;
    origin?: string;
    host?: string;
    accept?: string;
    "content-type"?: string;
    "next-action"?: string;
    rsc?: string;
    "sec-fetch-site"?: string;
    "x-hakuriver-proto"?: string;
    "x-hakuriver-client-ip"?: string;
  };
}

export interface GateOptions {
  dev?: boolean;
  /** Defaults to the process's store and limiter (tests pass their own). */
  sessions?: SessionRevocations;
  limiter?: FailureLimiter;
  people?: PeopleStore;
}

function isStaticPath(pathname: string, dev?: boolean): boolean {
  return STATIC_EXACT.has(pathname) || STATIC_PREFIX.some((p) => pathname.startsWith(p)) || (!!dev && pathname.startsWith("/_next/"));
}

export function isPublicPath(pathname: string): boolean {
  return PUBLIC_EXACT.has(pathname) || isStaticPath(pathname);
}

function isApiLike(pathname: string, req: GateRequest): boolean {
  // Server actions and RSC fetches come from scripts: they need a status, not an HTML redirect.
  return pathname.startsWith("/api/") || !!req.headers["next-action"] || !SAFE_METHODS.has(req.method);
}

function decodes(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

export function decide(req: GateRequest, token: string, options: GateOptions = {}): GateDecision {
  let pathname: string;
  try {
    pathname = new URL(req.url, "http://local").pathname;
  } catch {
    return { action: "deny", status: 400, code: "bad_request:url", error: "Malformed request URL." };
  }
  // Next decodes path parameters itself and answers a bad escape (`%ZZ`) with a bare 500.
  if (!decodes(pathname)) {
    return { action: "deny", status: 400, code: "bad_request:url", error: "Malformed percent-encoding in the request path (a % must be followed by two hex digits of UTF-8)." };
  }
  if (isStaticPath(pathname, options.dev)) {
    if (READ_METHODS.has(req.method)) return { action: "pass" };
    return { action: "deny", status: 405, code: "method_not_allowed:static", error: "Static files are read-only.", headers: { Allow: "GET, HEAD" } };
  }
  if (pathname === LOGIN || pathname === LOGOUT || pathname === SET_PASSWORD) {
    // Another site's page must not spend this client's login attempts (locking the user out), nor
    // log the user out. Scripts send neither Origin nor Sec-Fetch-Site and are let through.
    if (fromForeignPage(req.headers)) {
      return { action: "deny", status: 403, code: "forbidden:origin", error: "Login and logout are refused from other sites' pages; open the login link directly." };
    }
    if ((pathname === LOGIN || pathname === SET_PASSWORD) && req.method === "POST") {
      // Before the body is read: a blocked client's bodies cost nothing.
      const wait = (options.limiter ?? loginLimiter).retryAfter(req.headers["x-hakuriver-client-ip"] ?? "unknown");
      if (wait > 0) {
        const headers = { "Retry-After": String(wait) };
        if (!req.headers["content-type"]?.includes("application/json")) return { action: "redirect", location: "/login?error=rate", headers };
        return { action: "deny", status: 429, code: "rate_limited:login", error: "Too many failed attempts; try again later.", headers };
      }
    }
    return { action: "pass" };
  }
  if (PUBLIC_EXACT.has(pathname)) return { action: "pass" };

  const who = authorise(token, req, { sessions: options.sessions, people: options.people });
  if (who.ok) {
    // Server actions are commands: the gate asks for operator, execute() for the command's own role.
    const need = routeRole(req.method, pathname);
    const denied = permit(who, need.role, `${req.method} ${pathname}`, pathname, need.what);
    return denied ? { action: "deny", ...denied } : { action: "pass" };
  }
  if (who.status === 401 && !isApiLike(pathname, req)) {
    const next = pathname === "/" ? "" : `?next=${encodeURIComponent(req.url)}`;
    return { action: "redirect", location: `/login${next}` };
  }
  return { action: "deny", status: who.status, code: who.code, error: who.error };
}

/**
 * Normalises what later checks read, once, at the door: `x-hakuriver-client-ip` (the login
 * limiter's key), `x-hakuriver-proto` (the scheme the browser used) and, behind a trusted proxy,
 * the Host the browser used. Without trustProxy the client's own X-Forwarded-* headers are
 * removed, so nothing after this (Next included) can believe them.
 */
export function normaliseProxyHeaders(
  headers: Record<string, string | string[] | undefined>,
  socketAddress: string | undefined,
  trustProxy: boolean,
  encrypted = false,
): void {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  let client = socketAddress ?? "unknown";
  let proto = encrypted ? "https" : "http";
  if (trustProxy) {
    // The proxy appends the address it saw: the last entry is the one it vouches for.
    const forwarded = first(headers["x-forwarded-for"])?.split(",").map((s) => s.trim()).filter(Boolean);
    if (forwarded?.length) client = forwarded[forwarded.length - 1];
    const host = first(headers["x-forwarded-host"])?.split(",")[0]?.trim();
    if (host) headers.host = host;
    const forwardedProto = first(headers["x-forwarded-proto"])?.split(",")[0]?.trim().toLowerCase();
    if (forwardedProto === "https" || forwardedProto === "http") proto = forwardedProto;
  } else {
    delete headers["x-forwarded-for"];
    delete headers["x-forwarded-host"];
    delete headers["x-forwarded-proto"];
  }
  headers["x-hakuriver-client-ip"] = client;
  headers["x-hakuriver-proto"] = proto;
}

/**
 * Before answering a request whose body has not all arrived (and never will be read): close the
 * connection after the answer, but keep reading and discarding for a moment first. Closing a
 * socket with unread bytes resets the connection, and the client can lose the answer with it.
 */
function closeGently(res: ServerResponse): Record<string, string> {
  const req = res.req;
  const hasBody = req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;
  if (req.complete || !hasBody) return {};
  const socket = req.socket;
  // Node calls destroySoon once a `Connection: close` answer is written.
  socket.destroySoon = () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS).unref();
    socket.once("close", () => clearTimeout(timer));
  };
  return { Connection: "close" };
}
const LINGER_MS = 2000;

/** A JSON error answer from the door (gate, body limit). */
export function answerJson(res: ServerResponse, status: number, body: { error: string; code: string }, headers: Record<string, string> = {}): void {
  res
    .writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", ...headers, ...closeGently(res) })
    .end(JSON.stringify(body));
}

/** Applies decide() to a Node request; returns true when it answered the request itself. */
export function gate(req: IncomingMessage, res: ServerResponse, token: string, options: GateOptions = {}): boolean {
  const decision = decide({ method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers as GateRequest["headers"] }, token, options);
  if (decision.action === "pass") return false;
  if (decision.action === "redirect") {
    res.writeHead(303, { Location: decision.location, "Cache-Control": "no-store", ...decision.headers, ...closeGently(res) }).end();
  } else {
    answerJson(res, decision.status, { error: decision.error, code: decision.code }, decision.headers);
  }
  return true;
}
