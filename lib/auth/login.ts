import "server-only";
import { audit } from "@/lib/audit";
import { loginLimiter } from "./rate-limit";
import { safeNextPath } from "./redirect";
import { createSessionValue, sessionCookie, tokenMatches } from "./session";
import { authToken } from "./token";

/** Whether the browser reached us over HTTPS (directly or through a proxy that says so). */
export function isSecureRequest(request: Request): boolean {
  return new URL(request.url).protocol === "https:" || request.headers.get("x-forwarded-proto") === "https";
}

function clientAddress(request: Request): string {
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
  const fail = (status: number, reason: "invalid" | "rate" | "missing", message: string, retryAfter?: number) => {
    const headers: Record<string, string> = { "Cache-Control": "no-store" };
    if (retryAfter) headers["Retry-After"] = String(retryAfter);
    if (input.json) return Response.json({ error: message, code: status === 429 ? "rate_limited:login" : "unauthorized:login" }, { status, headers });
    headers.Location = `/login?error=${reason}&next=${encodeURIComponent(next)}`;
    return new Response(null, { status: 303, headers });
  };

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
  loginLimiter.succeed(address);
  const value = createSessionValue(authToken());
  audit({ session: `session:${value.split(".")[2]}`, action: "login", target: address, result: "ok" });
  const cookie = sessionCookie(value, { secure: isSecureRequest(request) });
  if (input.json) return Response.json({ ok: true }, { headers: { "Set-Cookie": cookie, "Cache-Control": "no-store" } });
  return new Response(null, { status: 303, headers: { Location: next, "Set-Cookie": cookie, "Cache-Control": "no-store" } });
}
