import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Signed, stateless session cookies. The signing key is derived from the access token, so
 * changing the token ends every session. Pure functions: the token is passed in.
 */

export const SESSION_COOKIE = "hakuriver_session";
export const SESSION_TTL_SECONDS = 7 * 24 * 3600;

function signingKey(token: string): Buffer {
  return createHmac("sha256", token).update("hakuriver-session-v1").digest();
}

function sign(token: string, payload: string): string {
  return createHmac("sha256", signingKey(token)).update(payload).digest("base64url");
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Compares a presented token with the real one in constant time (hashing equalizes lengths). */
export function tokenMatches(candidate: string | null | undefined, token: string): boolean {
  if (typeof candidate !== "string" || candidate.length === 0 || candidate.length > 1024) return false;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return sameBytes(digest(candidate), digest(token));
}

/** A new cookie value: `v1.<expiry seconds>.<nonce>.<signature>`. */
export function createSessionValue(token: string, nowMs = Date.now(), ttlSeconds = SESSION_TTL_SECONDS): string {
  const expires = Math.floor(nowMs / 1000) + ttlSeconds;
  const payload = `v1.${expires}.${randomBytes(12).toString("base64url")}`;
  return `${payload}.${sign(token, payload)}`;
}

/** Whether a cookie value was signed with this token and has not expired. */
export function verifySessionValue(token: string, value: string | null | undefined, nowMs = Date.now()): boolean {
  if (typeof value !== "string" || value.length > 256) return false;
  const parts = value.split(".");
  if (parts.length !== 4 || parts[0] !== "v1") return false;
  const payload = parts.slice(0, 3).join(".");
  const expected = Buffer.from(sign(token, payload));
  if (!sameBytes(Buffer.from(parts[3]), expected)) return false;
  const expires = Number(parts[1]);
  return Number.isSafeInteger(expires) && expires * 1000 > nowMs;
}

/** The token of an `Authorization: Bearer …` header, if that is what it holds. */
export function bearerToken(header: string | null | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m?.[1];
}

/** One cookie's value from a Cookie header. */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Set-Cookie for a session (HttpOnly, SameSite=Strict; Secure when served over HTTPS). */
export function sessionCookie(value: string, options: { secure: boolean }): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Strict",
    `Max-Age=${SESSION_TTL_SECONDS}`,
    ...(options.secure ? ["Secure"] : []),
  ].join("; ");
}

/** Set-Cookie that ends the session in the browser. */
export function clearedSessionCookie(options: { secure: boolean }): string {
  return [`${SESSION_COOKIE}=`, "Path=/", "HttpOnly", "SameSite=Strict", "Max-Age=0", ...(options.secure ? ["Secure"] : [])].join(
    "; ",
  );
}

export type Credential = "cookie" | "bearer";

/**
 * Who is calling, from request headers: "bearer" for a matching Authorization header, "cookie"
 * for a valid session cookie, undefined for nobody.
 */
export function authenticate(
  token: string,
  headers: { authorization?: string | null; cookie?: string | null },
): Credential | undefined {
  const bearer = bearerToken(headers.authorization);
  if (bearer !== undefined) return tokenMatches(bearer, token) ? "bearer" : undefined;
  return verifySessionValue(token, readCookie(headers.cookie, SESSION_COOKIE)) ? "cookie" : undefined;
}

/**
 * Whether an Origin header names the host the request was sent to. Cookie-authenticated
 * requests that change things must pass this (SameSite=Strict is the first line, this the second).
 */
export function originMatchesHost(origin: string | null | undefined, host: string | null | undefined): boolean {
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * The audit log's name for a caller: `bearer`, or `session:<nonce>` for a cookie (the nonce is
 * public-safe: without the signature it grants nothing). Call only after authenticate() passed.
 */
export function callerId(headers: { authorization?: string | null; cookie?: string | null }): string {
  if (bearerToken(headers.authorization) !== undefined) return "bearer";
  const value = readCookie(headers.cookie, SESSION_COOKIE);
  const nonce = value?.split(".")[2];
  return nonce ? `session:${nonce}` : "anonymous";
}
