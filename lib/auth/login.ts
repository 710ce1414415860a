import "server-only";
import { audit } from "@/lib/audit";
import { authoriseRequest } from "./next";
import { loginLimiter } from "./rate-limit";
import { safeNextPath } from "./redirect";
import { sessionRevocations } from "./revocation";
import { SESSION_TTL_SECONDS, clearedSessionCookie, createSessionValue, sessionCookie, tokenMatches } from "./session";
import { authToken } from "./token";
import { verifyPassword } from "./passwords";
import { peopleStore } from "./people";

/**
 * Whether the browser reached us over HTTPS: TLS on our own socket, or a trusted proxy
 * (HAKURIVER_TRUST_PROXY) that says so. server.ts sets the header; a client's claim is never read.
 */
export function isSecureRequest(request: Request): boolean {
  return request.headers.get("x-hakuriver-proto") === "https";
}

export function clientAddress(request: Request): string {
  // Set by server.ts from the socket, overwriting anything the client sent.
  return request.headers.get("x-hakuriver-client-ip") ?? "unknown";
}

/**
 * Exchanges the access token for a session cookie. Failed attempts are rate-limited per client
 * address; the comparison is constant-time.
 */
export function logIn(request: Request, input: { token: string | null; next: string | null; json: boolean }): Response {
  const next = safeNextPath(input.next);
  const address = clientAddress(request);
  const fail = failure(input.json, next);
  const wait = loginLimiter.retryAfter(address);
  // Not audited per attempt: a blocked address could otherwise fill the disk with log lines. Its
  // failures up to the limit are in the log already.
  if (wait > 0) return fail(429, "rate", "Too many failed attempts; try again later.", wait);
  if (!input.token) return fail(400, "missing", "Enter the access token.");
  if (!tokenMatches(input.token.trim(), authToken())) {
    loginLimiter.fail(address);
    audit({ session: "anonymous", action: "login", target: address, result: "error", detail: "wrong token" });
    return fail(401, "invalid", "That token is not right.");
  }
  return startSession(request, "owner", address, next, input.json ? "json" : "redirect");
}

type Fail = (status: number, reason: "invalid" | "rate" | "missing" | "person", message: string, retryAfter?: number) => Response;

function failure(json: boolean, next: string): Fail {
  return (status, reason, message, retryAfter) => {
    const headers: Record<string, string> = { "Cache-Control": "no-store" };
    if (retryAfter) headers["Retry-After"] = String(retryAfter);
    if (json) return Response.json({ error: message, code: status === 429 ? "rate_limited:login" : "unauthorized:login" }, { status, headers });
    headers.Location = `/login?error=${reason}&next=${encodeURIComponent(next)}`;
    return new Response(null, { status: 303, headers });
  };
}

/**
 * How a login answers: JSON for scripts, a redirect for the forms, or (single sign-on, whose
 * callback arrives from the provider's site) a page that moves on by itself: the SameSite=Strict
 * cookie is not sent on a redirect that another site started, but is on the page's own navigation.
 */
export type LoginAnswer = "json" | "redirect" | "page";

/** The session cookie for `subject` (`owner` or a person), and the answer that sets it. */
export function startSession(request: Request, subject: string, address: string, next: string, answer: LoginAnswer, how?: string): Response {
  loginLimiter.succeed(address);
  const value = createSessionValue(authToken(), Date.now(), SESSION_TTL_SECONDS, sessionRevocations().generation, subject);
  audit({ session: `session:${value.split(".")[2]}`, person: subject, action: "login", target: address, result: "ok", ...(how ? { detail: how } : {}) });
  const cookie = sessionCookie(value, { secure: isSecureRequest(request) });
  const headers = { "Set-Cookie": cookie, "Cache-Control": "no-store" };
  if (answer === "json") return Response.json({ ok: true }, { headers });
  if (answer === "redirect") return new Response(null, { status: 303, headers: { ...headers, Location: next } });
  return continuePage(next, headers);
}

/** A page that goes to `next` at once (a same-origin navigation), with a link for the rest. */
function continuePage(next: string, headers: Record<string, string>): Response {
  const href = next.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const html = `<!doctype html><html lang="en"><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${href}"><title>Signed in</title><p>Signed in. <a href="${href}">Continue</a></p></html>`;
  return new Response(html, { headers: { ...headers, "Content-Type": "text/html; charset=utf-8" } });
}

/**
 * A person's login by name and password (lib/auth/people.ts), under the same limiter as the token.
 * The password is compared by scrypt in constant time, and a missing name costs the same time.
 */
export async function logInPerson(request: Request, input: { name: string | null; password: string | null; next: string | null; json: boolean }): Promise<Response> {
  const next = safeNextPath(input.next);
  const address = clientAddress(request);
  const fail = failure(input.json, next);
  const wait = loginLimiter.retryAfter(address);
  if (wait > 0) return fail(429, "rate", "Too many failed attempts; try again later.", wait);
  if (!input.name || !input.password) return fail(400, "missing", "Enter your name and password.");
  const name = input.name.trim().toLowerCase();
  const person = name.length <= 32 ? peopleStore().person(name) : undefined;
  if (!(await verifyPassword(input.password, person?.password)) || !person) {
    loginLimiter.fail(address);
    // The name as typed (bounded), never the password.
    audit({ session: "anonymous", person: name.slice(0, 32), action: "login", target: address, result: "error", detail: "wrong name or password" });
    return fail(401, "person", "That name and password do not match.");
  }
  return startSession(request, person.name, address, next, input.json ? "json" : "redirect");
}

/**
 * Ends the caller's session on the server (the cookie stops working even if replayed), or with
 * `everywhere` every session issued so far, and clears the cookie. Whoever calls must have checked
 * the request's origin (the gate refuses logout from other sites' pages).
 */
export function logOut(request: Request, options: { everywhere: boolean }): Response {
  const who = authoriseRequest(request);
  if (who.ok) {
    if (options.everywhere) sessionRevocations().revokeAll();
    else if (who.credential === "cookie") sessionRevocations().revoke(who.session);
    audit({ session: who.id, action: options.everywhere ? "logout.everywhere" : "logout", target: clientAddress(request), result: "ok" });
  }
  const cookie = clearedSessionCookie({ secure: isSecureRequest(request) });
  if (request.headers.get("accept")?.includes("application/json")) {
    return Response.json({ ok: true }, { headers: { "Set-Cookie": cookie, "Cache-Control": "no-store" } });
  }
  return new Response(null, { status: 303, headers: { Location: "/login", "Set-Cookie": cookie, "Cache-Control": "no-store" } });
}
