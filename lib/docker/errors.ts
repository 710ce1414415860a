import "server-only";
import { AppError } from "@/lib/shared/errors";
import { dockerEndpoint } from "./client";

interface DockerishError {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
  reason?: string;
  message?: string;
}

const unreachableCodes = new Set([
  "ENOENT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EACCES",
  "EPERM",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EPIPE",
]);

/**
 * Docker's own message for an API error ("No such container: x"), without the HTTP preamble.
 * docker-modem leaves `json` null for some answers (a failed pull) and puts the engine's words only
 * in `message`, after "(HTTP code 500) server error - ": those words are the point, not "server error".
 */
export function dockerMessage(err: unknown): string {
  const e = err as DockerishError;
  const fromJson = e?.json && typeof e.json === "object" ? e.json.message : undefined;
  const fromMessage = /^\(HTTP code \d+\)[^-]*- ([\s\S]+)$/.exec(e?.message ?? "")?.[1];
  return (fromJson ?? (fromMessage?.trim() || undefined) ?? e?.reason ?? e?.message ?? String(err)).trim();
}

export function isUnreachable(err: unknown): boolean {
  const e = err as DockerishError;
  if (e?.code && unreachableCodes.has(e.code)) return true;
  return /socket hang up|connect ECONNREFUSED|ENOENT/.test(e?.message ?? "");
}

export function unreachableError(cause?: unknown): AppError {
  return new AppError(
    "unavailable:docker",
    `Cannot reach the Docker engine at ${dockerEndpoint()}. Is dockerd running, and may this user open its socket?`,
    { cause },
  );
}

/**
 * Maps a Docker API failure to an AppError. `subject` names what was acted on, for messages such
 * as "Container my-env was not found".
 */
export function fromDockerError(err: unknown, subject: { kind: "container" | "image"; name: string }): AppError {
  if (err instanceof AppError) return err;
  if (isUnreachable(err)) return unreachableError(err);
  const status = (err as DockerishError)?.statusCode;
  const label = subject.kind === "container" ? "Container" : "Image";
  switch (status) {
    case 404:
      return new AppError(`not_found:${subject.kind}`, `${label} ${subject.name} was not found.`, { cause: err });
    case 409:
      return new AppError(`conflict:${subject.kind}`, `${label} ${subject.name}: ${dockerMessage(err)}`, {
        cause: err,
      });
    default:
      return new AppError(`failed:docker`, `Docker refused: ${dockerMessage(err)}`, { cause: err });
  }
}
