import "server-only";
import { audited } from "@/lib/audit";
import { apiCaller, apiUnauthorized } from "@/lib/auth/next";
import type { z } from "zod";
import { AppError, errorBody, toAppError } from "@/lib/errors";
import { containerRefSchema, firstIssue } from "@/lib/schemas";

/** A JSON error response for a route handler, with the status its code implies. */
export function errorResponse(err: unknown): Response {
  const appError = toAppError(err);
  if (appError.status >= 500 && appError.kind !== "unavailable") console.error("[hakuriver]", appError.message, appError.cause ?? "");
  return Response.json(errorBody(appError), { status: appError.status, headers: { "Cache-Control": "no-store" } });
}

/** Reads a JSON body no larger than `limit` bytes, stopping as soon as it is larger; else a 4xx AppError. */
export async function readJsonBody(request: Request, limit = 16 * 1024): Promise<unknown> {
  const tooLarge = () => new AppError("too_large:body", `Request body is larger than ${limit} bytes.`);
  if (Number(request.headers.get("content-length") ?? "0") > limit) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new AppError("bad_request:body", "Request body must be JSON.");
  }
}

/**
 * The shape of a route handler: refuse without a session, run, map errors to JSON. With `audit`,
 * the outcome is recorded under that action name and target.
 */
export async function handleApi(
  request: Request,
  run: (caller: string) => Promise<Response>,
  audit?: { action: string; target: string },
): Promise<Response> {
  const denied = apiUnauthorized(request);
  if (denied) return denied;
  const caller = apiCaller(request);
  try {
    return audit ? await audited(caller, audit.action, audit.target, () => run(caller)) : await run(caller);
  } catch (err) {
    return errorResponse(err);
  }
}

/** Validates input from a URL or body; a 400 AppError with the first problem otherwise. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError("bad_request:input", firstIssue(parsed.error));
  return parsed.data;
}

/** A container name or ID from a URL. */
export const containerRefOrThrow = (value: string): string => parseInput(containerRefSchema, value);
