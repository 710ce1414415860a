import "server-only";
import { apiCaller, apiUnauthorized } from "@/lib/auth/next";
import { commands, execute, type CommandName } from "@/lib/commands";
import type { z } from "zod";
import { AppError, errorBody, toAppError } from "@/lib/shared/errors";
import { firstIssue } from "@/lib/schemas";
import { routeRole, type Who } from "@/lib/shared/roles";
import { permit } from "@/lib/auth/permit";

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

/** The shape of a route handler: refuse without a session, run, map errors to JSON. */
export async function handleApi(request: Request, run: (caller: Who) => Promise<Response>): Promise<Response> {
  const denied = apiUnauthorized(request);
  if (denied) return denied;
  try {
    const who = apiCaller(request);
    // The gate asked already; the same table again, so a handler is never reachable without it.
    const need = routeRole(request.method, new URL(request.url).pathname);
    const refused = permit(who, need.role, `${request.method} ${new URL(request.url).pathname}`, new URL(request.url).pathname, need.what);
    if (refused) throw new AppError(refused.code, refused.error);
    return await run(who);
  } catch (err) {
    return errorResponse(err);
  }
}

/** A REST route for one of lib/commands.ts: `{ ok, message, ...data }` with the command's status. */
export function commandResponse(request: Request, name: CommandName, input: unknown): Promise<Response> {
  return handleApi(request, async (caller) => {
    const { message, data } = await execute(name, caller, input);
    return Response.json({ ok: true, message, ...data }, { status: commands[name].status });
  });
}

/** Validates input from a URL or body; a 400 AppError with the first problem otherwise. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError("bad_request:input", firstIssue(parsed.error));
  return parsed.data;
}

/**
 * An NDJSON response: `work` emits events, one JSON line each; a failure becomes one last
 * `{ type: "error", error, code }` line. The work goes on if the client disconnects (a half-made
 * container is worse than an unwatched one).
 */
export function ndjsonResponse<E>(work: (emit: (event: E) => void) => Promise<void>): Response {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const emit = (event: E | { type: "error"; error: string; code: string }) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
        } catch {
          open = false;
        }
      };
      work(emit)
        .catch((err) => {
          const appError = toAppError(err);
          emit({ type: "error", error: appError.message, code: appError.code });
        })
        .finally(() => {
          if (open) controller.close();
          open = false;
        });
    },
  });
  return new Response(stream, {
    headers: { "Content-Type": "application/x-ndjson; charset=utf-8", "Cache-Control": "no-store", "X-Accel-Buffering": "no" },
  });
}
