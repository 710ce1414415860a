import "server-only";
import { rememberCaller } from "@/lib/audit";
import { lowerRole, type Principal } from "@/lib/shared/roles";
import { type PeopleStore, peopleStore } from "./people";
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

/**
 * Who is calling, once authorised. `id` is the audit log's name for the credential (`bearer`,
 * `token:<id>`, `session:<nonce>`); `principal` is the person behind it and their role.
 */
export type Caller = ({ credential: "bearer"; id: string; tokenId?: string } | { credential: "cookie"; id: string; session: SessionInfo }) & {
  principal: Principal;
};

export const OWNER: Principal = { kind: "owner", name: "owner", role: "admin" };

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
  options: { sameOrigin?: "unsafe-methods" | "always"; sessions?: SessionRevocations; people?: PeopleStore } = {},
): Authorisation {
  const h = req.headers;
  const caller = identify(token, h, options);
  if (!caller) {
    return { ok: false, status: 401, code: "unauthorized:auth", error: "Not logged in: send the session cookie or Authorization: Bearer <token>." };
  }
  if (options.sameOrigin === "always" || !SAFE_METHODS.has(req.method.toUpperCase())) {
    // Browsers send Origin on WebSockets and writes; scripts with the bearer token usually send none.
    const allowed = caller.credential === "cookie" ? fromOwnOrigin(h) : !h.origin || fromOwnOrigin(h);
    if (!allowed) return { ok: false, status: 403, code: "forbidden:origin", error: "Cross-origin request refused." };
  }
  rememberCaller(caller.id, caller.principal);
  return { ok: true, ...caller };
}

/** The credential's caller, when it is valid: the owner token, a personal token, or a session cookie. */
function identify(token: string, h: CallerRequest["headers"], options: { sessions?: SessionRevocations; people?: PeopleStore }): Caller | undefined {
  const people = () => options.people ?? peopleStore();
  const bearer = bearerToken(h.authorization);
  if (bearer !== undefined) {
    // A wrong bearer is not rescued by a cookie.
    if (tokenMatches(bearer, token)) return { credential: "bearer", id: "bearer", principal: OWNER };
    const t = people().findToken(bearer);
    if (!t) return undefined;
    // Never more than the maker has now (a maker made viewer later brings the token down too).
    const makerRole = t.person === "owner" ? "admin" : people().person(t.person)?.role;
    if (!makerRole) return undefined;
    return { credential: "bearer", id: `token:${t.id}`, tokenId: t.id, principal: { kind: "token", name: t.person, role: lowerRole(t.role, makerRole), tokenName: t.name } };
  }
  const session = readSession(token, readCookie(h.cookie, SESSION_COOKIE));
  if (!session || (options.sessions ?? sessionRevocations()).isRevoked(session)) return undefined;
  const id = `session:${session.nonce}`;
  if (session.subject === "owner") return { credential: "cookie", id, session, principal: OWNER };
  const person = people().person(session.subject);
  // A login in the same millisecond as End sessions ends too.
  if (!person || session.issued <= (person.sessionsNotBefore ?? 0)) return undefined;
  return { credential: "cookie", id, session, principal: { kind: "person", name: person.name, role: person.role } };
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
