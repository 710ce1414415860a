import "server-only";
import { SessionRevocations, sessionRevocations } from "./revocation";
import {
  SESSION_COOKIE,
  bearerToken,
  fromOwnOrigin,
  readCookie,
  readSession,
  tokenMatches,
  type OriginHeaders,
  type SessionInfo,
} from "./session";

/** Who is calling, once authorised. `id` is the audit log's name for them. */
export type Caller = { credential: "bearer"; id: "bearer" } | { credential: "cookie"; id: string; session: SessionInfo };

export type Authorisation =
  | ({ ok: true } & Caller)
  | { ok: false; status: 401; code: "unauthorized:auth"; error: string }
  | { ok: false; status: 403; code: "forbidden:origin"; error: string };

export interface CallerRequest {
  method: string;
  headers: OriginHeaders & { authorization?: string | null; cookie?: string | null };
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The one credential and Origin rule, for HTTP requests (the gate, route handlers, pages, server
 * actions) and for every Engine.IO request (lib/auth/sockets.ts):
 * - the bearer token, or a session cookie that is signed, unexpired and not revoked;
 * - a cookie request that changes things (or any socket request: `sameOrigin: "always"`) must come
 *   from this origin; a bearer request must not carry a foreign Origin.
 */
export function authorise(
  token: string,
  req: CallerRequest,
  options: { sameOrigin?: "unsafe-methods" | "always"; sessions?: SessionRevocations } = {},
): Authorisation {
  const h = req.headers;
  let caller: Caller | undefined;
  const bearer = bearerToken(h.authorization);
  if (bearer !== undefined) {
    // A wrong bearer is not rescued by a cookie.
    if (tokenMatches(bearer, token)) caller = { credential: "bearer", id: "bearer" };
  } else {
    const session = readSession(token, readCookie(h.cookie, SESSION_COOKIE));
    if (session && !(options.sessions ?? sessionRevocations()).isRevoked(session)) {
      caller = { credential: "cookie", id: `session:${session.nonce}`, session };
    }
  }
  if (!caller) {
    return { ok: false, status: 401, code: "unauthorized:auth", error: "Not logged in: send the session cookie or Authorization: Bearer <token>." };
  }
  if (options.sameOrigin === "always" || !SAFE_METHODS.has(req.method.toUpperCase())) {
    // Browsers send Origin on WebSockets and writes; scripts with the bearer token usually send none.
    const allowed = caller.credential === "cookie" ? fromOwnOrigin(h) : !h.origin || fromOwnOrigin(h);
    if (!allowed) return { ok: false, status: 403, code: "forbidden:origin", error: "Cross-origin request refused." };
  }
  return { ok: true, ...caller };
}

/** Reads the headers authorise() needs from a fetch Request (route handlers). */
export function callerRequest(request: Request): CallerRequest {
  const get = (name: string) => request.headers.get(name);
  return {
    method: request.method,
    headers: {
      authorization: get("authorization"),
      cookie: get("cookie"),
      origin: get("origin"),
      host: get("host"),
      "sec-fetch-site": get("sec-fetch-site"),
      "x-hakuriver-proto": get("x-hakuriver-proto"),
    },
  };
}
