import "server-only";
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Signed session cookies. The signing key is derived from the access token, so changing the
 * token ends every session; logout and "log out everywhere" end sessions through the revocation
 * store (lib/auth/revocation.ts). Pure functions: the token is passed in.
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

/** What a valid session cookie says about itself. */
export interface SessionInfo {
  /** Random per login: names the session in the audit log and in the revocation store. */
  nonce: string;
  /** Unix seconds. */
  expires: number;
  /** The store's generation when it was issued; "log out everywhere" raises the generation. */
  generation: number;
  /** Who logged in: `owner` (the owner token) or a person's name (lib/auth/people.ts). */
  subject: string;
  /** When it was issued (ms); 0 for the older formats. */
  issued: number;
}

const SUBJECT = /^[a-z][a-z0-9._-]{0,31}$/;

/**
 * A new cookie value: `v2.<expiry seconds>.<nonce>.<generation>.<signature>` for the owner, or
 * `v3.<expiry seconds>.<nonce>.<generation>.<issued ms>.<person>.<signature>` for a person.
 */
export function createSessionValue(token: string, nowMs = Date.now(), ttlSeconds = SESSION_TTL_SECONDS, generation = 0, subject = "owner"): string {
  const expires = Math.floor(nowMs / 1000) + ttlSeconds;
  const nonce = randomBytes(12).toString("base64url");
  if (subject !== "owner" && !SUBJECT.test(subject)) throw new Error("not a person's name");
  const payload = subject === "owner" ? `v2.${expires}.${nonce}.${generation}` : `v3.${expires}.${nonce}.${generation}.${nowMs}.${subject}`;
  return `${payload}.${sign(token, payload)}`;
}

const PARTS: Record<string, number> = { v1: 4, v2: 5, v3: 7 };

/**
 * The session a cookie value stands for, when it was signed with this token and has not expired.
 * Whether it was revoked since is the revocation store's question (lib/auth/revocation.ts).
 * Cookies of the first format (`v1.<expiry>.<nonce>.<signature>`) count as generation 0.
 */
export function readSession(token: string, value: string | null | undefined, nowMs = Date.now()): SessionInfo | undefined {
  if (typeof value !== "string" || value.length > 256) return undefined;
  const parts = value.split(".");
  if (PARTS[parts[0]] !== parts.length) return undefined;
  const payload = parts.slice(0, -1).join(".");
  if (!sameBytes(Buffer.from(parts[parts.length - 1]), Buffer.from(sign(token, payload)))) return undefined;
  const expires = Number(parts[1]);
  const generation = parts[0] === "v1" ? 0 : Number(parts[3]);
  const issued = parts[0] === "v3" ? Number(parts[4]) : 0;
  if (!Number.isSafeInteger(expires) || expires * 1000 <= nowMs || !Number.isSafeInteger(generation) || !Number.isSafeInteger(issued)) return undefined;
  return { nonce: parts[2], expires, generation, subject: parts[0] === "v3" ? parts[5] : "owner", issued };
}

/** Whether a cookie value was signed with this token and has not expired. */
export function verifySessionValue(token: string, value: string | null | undefined, nowMs = Date.now()): boolean {
  return readSession(token, value, nowMs) !== undefined;
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

/** The request headers the origin rules read (normalised at the door by normaliseProxyHeaders). */
export interface OriginHeaders {
  origin?: string | null;
  host?: string | null;
  "sec-fetch-site"?: string | null;
  /** `http` or `https`, as server.ts determined it; never the client's own claim. */
  "x-hakuriver-proto"?: string | null;
}

/**
 * Whether an Origin header names this server as the browser reached it: same scheme, same host
 * and port. Cookie-authenticated requests that change things must pass this (SameSite=Strict is
 * the first line, this the second).
 */
export function originMatchesHost(origin: string | null | undefined, host: string | null | undefined, proto: string | null | undefined): boolean {
  if (!origin || !host || (proto !== "http" && proto !== "https")) return false;
  try {
    const url = new URL(origin);
    return url.protocol === `${proto}:` && url.host === new URL(`${proto}://${host}`).host;
  } catch {
    return false;
  }
}

/**
 * Whether a request comes from a page of this origin: its Origin matches, or, where browsers send
 * no Origin (same-origin GETs), `Sec-Fetch-Site: same-origin`, which pages cannot forge either.
 */
export function fromOwnOrigin(headers: OriginHeaders): boolean {
  if (headers.origin) return originMatchesHost(headers.origin, headers.host, headers["x-hakuriver-proto"]);
  return headers["sec-fetch-site"] === "same-origin";
}

/**
 * Whether a browser says the request was made by another site's page: a foreign Origin, or
 * Sec-Fetch-Site cross-site or same-site. Requests without either (scripts, typed URLs) are not.
 */
export function fromForeignPage(headers: OriginHeaders): boolean {
  if (headers.origin) return !originMatchesHost(headers.origin, headers.host, headers["x-hakuriver-proto"]);
  return headers["sec-fetch-site"] === "cross-site" || headers["sec-fetch-site"] === "same-site";
}

/**
 * The audit log's name for a caller: `bearer`, or `session:<nonce>` for a cookie (the nonce is
 * public-safe: without the signature it grants nothing). Call only after authorise() passed.
 */
export function callerId(headers: { authorization?: string | null; cookie?: string | null }): string {
  if (bearerToken(headers.authorization) !== undefined) return "bearer";
  const value = readCookie(headers.cookie, SESSION_COOKIE);
  const nonce = value?.split(".")[2];
  return nonce ? `session:${nonce}` : "anonymous";
}
