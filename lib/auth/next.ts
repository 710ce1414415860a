import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { AppError, errorBody } from "@/lib/shared/errors";
import type { Principal, Who } from "@/lib/shared/roles";
import { authorise, callerRequest, type Authorisation, type CallerRequest } from "./authorise";
import { SESSION_COOKIE, type Credential } from "./session";
import { authToken } from "./token";

/** The caller's request headers inside a page, layout or server action. */
async function callerRequestOf(method: string): Promise<CallerRequest> {
  const [h, c] = await Promise.all([headers(), cookies()]);
  const cookie = c.get(SESSION_COOKIE)?.value;
  return {
    method,
    headers: {
      authorization: h.get("authorization"),
      cookie: cookie ? `${SESSION_COOKIE}=${cookie}` : undefined,
      origin: h.get("origin"),
      host: h.get("host"),
      "sec-fetch-site": h.get("sec-fetch-site"),
      "x-hakuriver-proto": h.get("x-hakuriver-proto"),
    },
  };
}

/** The caller's credential inside a page or layout. */
export async function currentCredential(): Promise<Credential | undefined> {
  const who = authorise(authToken(), await callerRequestOf("GET"));
  return who.ok ? who.credential : undefined;
}

/** For pages and layouts: a visitor without a session goes to /login. Answers who they are. */
export async function requirePageSession(): Promise<Principal> {
  const who = authorise(authToken(), await callerRequestOf("GET"));
  if (!who.ok) redirect("/login");
  return who.principal;
}

/**
 * For server actions (each one is a public POST endpoint): throws AppError unless the caller is
 * logged in and, when using the cookie, calls from our own origin. Returns the audit log's caller id.
 */
export async function requireActionSession(): Promise<Who> {
  const who = authorise(authToken(), await callerRequestOf("POST"));
  if (!who.ok) {
    throw who.status === 401
      ? new AppError("unauthorized:auth", "Your session has ended; log in again.")
      : new AppError("forbidden:origin", "Cross-origin request refused.");
  }
  return { id: who.id, principal: who.principal };
}

/** authorise() for a route handler's request. */
export function authoriseRequest(request: Request): Authorisation {
  return authorise(authToken(), callerRequest(request));
}

/** For route handlers: a 401/403 JSON response unless the request is authorised. */
export function apiUnauthorized(request: Request): Response | undefined {
  const who = authoriseRequest(request);
  if (who.ok) return undefined;
  return Response.json(errorBody(new AppError(who.code, who.error)), { status: who.status });
}

/** The caller of a route handler's request (after apiUnauthorized passed). */
export function apiCaller(request: Request): Who {
  const who = authoriseRequest(request);
  if (!who.ok) throw new AppError(who.code, who.error);
  return { id: who.id, principal: who.principal };
}
