import type { IncomingMessage, ServerResponse } from "node:http";
import { authenticate, originMatchesHost } from "./session";

/**
 * The door every HTTP request passes before Next sees it (server.ts calls it). Pages without a
 * session redirect to /login, APIs and server actions answer 401 JSON, cookie-authenticated
 * requests that change things must come from our own origin. Pages, route handlers and actions
 * check the session again themselves (lib/auth/next.ts): this gate is the outer wall, not the only one.
 */

const PUBLIC_EXACT = new Set(["/login", "/api/health", "/api/auth/login", "/api/auth/logout", "/favicon.ico", "/icon.svg"]);
const PUBLIC_PREFIX = ["/_next/static/"];
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export type GateDecision =
  | { action: "pass" }
  | { action: "redirect"; location: string }
  | { action: "deny"; status: 400 | 401 | 403; error: string };

export interface GateRequest {
  method: string;
  url: string;
  headers: { authorization?: string; cookie?: string; origin?: string; host?: string; accept?: string; "next-action"?: string; "rsc"?: string };
}

export function isPublicPath(pathname: string): boolean {
  return PUBLIC_EXACT.has(pathname) || PUBLIC_PREFIX.some((p) => pathname.startsWith(p));
}

function isApiLike(pathname: string, req: GateRequest): boolean {
  // Server actions and RSC fetches come from scripts: they need a status, not an HTML redirect.
  return pathname.startsWith("/api/") || !!req.headers["next-action"] || !SAFE_METHODS.has(req.method);
}

export function decide(req: GateRequest, token: string, options: { dev?: boolean } = {}): GateDecision {
  let pathname: string;
  try {
    pathname = new URL(req.url, "http://local").pathname;
  } catch {
    return { action: "deny", status: 400, error: "Malformed request URL." };
  }
  if (isPublicPath(pathname) || (options.dev && pathname.startsWith("/_next/"))) return { action: "pass" };

  const credential = authenticate(token, req.headers);
  if (!credential) {
    if (isApiLike(pathname, req)) return { action: "deny", status: 401, error: "Not logged in: send the session cookie or Authorization: Bearer <token>." };
    const next = pathname === "/" ? "" : `?next=${encodeURIComponent(req.url)}`;
    return { action: "redirect", location: `/login${next}` };
  }
  if (credential === "cookie" && !SAFE_METHODS.has(req.method) && !originMatchesHost(req.headers.origin, req.headers.host)) {
    return { action: "deny", status: 403, error: "Cross-origin request refused." };
  }
  return { action: "pass" };
}

/**
 * Normalises what later checks read, once, at the door: `x-hakuriver-client-ip` (the login
 * limiter's key) and, behind a trusted proxy, the Host the browser used. Without trustProxy the
 * client's own X-Forwarded-* headers are not believed.
 */
export function normaliseProxyHeaders(
  headers: Record<string, string | string[] | undefined>,
  socketAddress: string | undefined,
  trustProxy: boolean,
): void {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  let client = socketAddress ?? "unknown";
  if (trustProxy) {
    // The proxy appends the address it saw: the last entry is the one it vouches for.
    const forwarded = first(headers["x-forwarded-for"])?.split(",").map((s) => s.trim()).filter(Boolean);
    if (forwarded?.length) client = forwarded[forwarded.length - 1];
    const host = first(headers["x-forwarded-host"])?.split(",")[0]?.trim();
    if (host) headers.host = host;
  }
  headers["x-hakuriver-client-ip"] = client;
}

/** Applies decide() to a Node request; returns true when it answered the request itself. */
export function gate(req: IncomingMessage, res: ServerResponse, token: string, options: { dev?: boolean } = {}): boolean {
  const decision = decide(
    { method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers as GateRequest["headers"] },
    token,
    options,
  );
  if (decision.action === "pass") return false;
  if (decision.action === "redirect") {
    res.writeHead(303, { Location: decision.location, "Cache-Control": "no-store" }).end();
  } else {
    res
      .writeHead(decision.status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" })
      .end(JSON.stringify({ error: decision.error, code: { 400: "bad_request:url", 401: "unauthorized:auth", 403: "forbidden:origin" }[decision.status] }));
  }
  return true;
}
