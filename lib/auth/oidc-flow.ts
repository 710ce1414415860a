import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * What the browser carries between single sign-on's start and its callback (lib/auth/oidc.ts), in
 * an HttpOnly cookie: sealed with an HMAC keyed by the owner token, so it cannot be altered. Pure.
 */
export interface Flow {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
  /** Unix ms. */
  expires: number;
}

function flowKey(token: string): Buffer {
  return createHmac("sha256", token).update("hakuriver-oidc-flow-v1").digest();
}

/** The flow as a cookie value: base64url JSON and its HMAC, keyed by the owner token. */
export function sealFlow(token: string, flow: Flow): string {
  const body = Buffer.from(JSON.stringify(flow)).toString("base64url");
  return `${body}.${createHmac("sha256", flowKey(token)).update(body).digest("base64url")}`;
}

/** The flow a cookie value holds, when it is ours and not expired. */
export function openFlow(token: string, value: string | undefined, now = Date.now()): Flow | undefined {
  if (!value || value.length > 2048) return undefined;
  const [body, mac, extra] = value.split(".");
  if (!body || !mac || extra !== undefined) return undefined;
  const expected = Buffer.from(createHmac("sha256", flowKey(token)).update(body).digest("base64url"));
  if (expected.length !== mac.length || !timingSafeEqual(expected, Buffer.from(mac))) return undefined;
  try {
    const flow = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Flow;
    return typeof flow.expires === "number" && flow.expires > now ? flow : undefined;
  } catch {
    return undefined;
  }
}

