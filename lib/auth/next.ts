import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { AppError, errorBody } from "@/lib/errors";
import { authToken } from "./token";
import { SESSION_COOKIE, authenticate, callerId, originMatchesHost, type Credential } from "./session";

async function callerHeaders() {
  const [h, c] = await Promise.all([headers(), cookies()]);
  const cookie = c.get(SESSION_COOKIE)?.value;
  return { authorization: h.get("authorization"), cookie: cookie ? `${SESSION_COOKIE}=${cookie}` : undefined };
}

/** The caller's credential inside a page, layout or server action. */
export async function currentCredential(): Promise<Credential | undefined> {
  return authenticate(authToken(), await callerHeaders());
}

/** For pages and layouts: a visitor without a session goes to /login. */
export async function requirePageSession(): Promise<void> {
  if (!(await currentCredential())) redirect("/login");
}

/**
 * For server actions (each one is a public POST endpoint): throws AppError unless the caller is
 * logged in and, when using the cookie, calls from our own origin. Returns the audit log's caller id.
 */
export async function requireActionSession(): Promise<string> {
  const credential = await currentCredential();
  if (!credential) throw new AppError("unauthorized:auth", "Your session has ended; log in again.");
  if (credential === "cookie") {
    const h = await headers();
    if (!originMatchesHost(h.get("origin"), h.get("host"))) {
      throw new AppError("forbidden:origin", "Cross-origin request refused.");
    }
  }
  return callerId(await callerHeaders());
}

/** For route handlers: a 401 JSON response when the request carries no valid credential. */
export function apiUnauthorized(request: Request): Response | undefined {
  const credential = authenticate(authToken(), {
    authorization: request.headers.get("authorization"),
    cookie: request.headers.get("cookie"),
  });
  if (credential === "cookie" && !["GET", "HEAD"].includes(request.method)) {
    if (!originMatchesHost(request.headers.get("origin"), request.headers.get("host"))) {
      return Response.json(errorBody(new AppError("forbidden:origin", "Cross-origin request refused.")), { status: 403 });
    }
  }
  if (credential) return undefined;
  return Response.json(
    errorBody(new AppError("unauthorized:auth", "Not logged in: send the session cookie or Authorization: Bearer <token>.")),
    { status: 401 },
  );
}

/** The audit log's caller id for a route handler's request (after apiUnauthorized passed). */
export function apiCaller(request: Request): string {
  return callerId({ authorization: request.headers.get("authorization"), cookie: request.headers.get("cookie") });
}
