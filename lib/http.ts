import "server-only";
import { AppError, errorBody, toAppError } from "@/lib/errors";

/** A JSON error response for a route handler, with the status its code implies. */
export function errorResponse(err: unknown): Response {
  const appError = toAppError(err);
  if (appError.status >= 500 && appError.kind !== "unavailable") console.error("[hakuriver]", appError.message, appError.cause ?? "");
  return Response.json(errorBody(appError), { status: appError.status, headers: { "Cache-Control": "no-store" } });
}

/** Reads a JSON body no larger than `limit` bytes; anything else is a 4xx AppError. */
export async function readJsonBody(request: Request, limit = 16 * 1024): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) throw new AppError("too_large:body", `Request body is larger than ${limit} bytes.`);
  const text = await request.text();
  if (Buffer.byteLength(text) > limit) throw new AppError("too_large:body", `Request body is larger than ${limit} bytes.`);
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("bad_request:body", "Request body must be JSON.");
  }
}
