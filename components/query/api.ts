"use client";

import type { ErrorCode } from "@/lib/shared/errors";

/** A failed API call: the server's own message and code (or what went wrong on the way). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: ErrorCode,
    /** The whole answer, for routes that describe their failures in their normal shape. */
    readonly body?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/**
 * The one way the browser reads the dashboard's JSON API: no cache, the server's message on
 * failure, and a session that has ended sends the page to the login form.
 */
export async function getJson<T>(url: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { cache: "no-store" });
  } catch {
    throw new ApiError("The dashboard server did not answer. Is it still running?", 0);
  }
  const body = (await res.json().catch(() => undefined)) as (T & { error?: string; code?: ErrorCode }) | undefined;
  if (res.ok && body !== undefined) return body;
  if (res.status === 401) {
    // A full navigation, not a client transition: the login page sets a fresh cookie.
    // eslint-disable-next-line @next/next/no-location-assign-relative-destination
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
  }
  throw new ApiError(body?.error ?? `The server answered ${res.status}.`, res.status, body?.code, body);
}

/** A change through the JSON API (`POST`, `PATCH`, `DELETE`): the answer, or an ApiError with the server's message. */
export async function sendJson<T>(method: string, url: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { method, headers: body === undefined ? undefined : { "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError("The dashboard server did not answer. Is it still running?", 0);
  }
  const answer = (await res.json().catch(() => undefined)) as (T & { error?: string; code?: ErrorCode }) | undefined;
  if (res.ok && answer !== undefined) return answer;
  throw new ApiError(answer?.error ?? `The server answered ${res.status}.`, res.status, answer?.code, answer);
}
