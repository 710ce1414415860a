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
  return saidOnce((fromJson ?? (fromMessage?.trim() || undefined) ?? e?.reason ?? e?.message ?? String(err)).trim());
}

/** Docker's words once: "manifest unknown: manifest unknown" → "manifest unknown". */
export function saidOnce(message: string): string {
  const parts = message.split(": ");
  return parts.filter((p, i) => i === 0 || p.trim() !== parts[i - 1].trim()).join(": ");
}

/**
 * What a pull failure means for the common causes, in a few words (undefined when it is none of
 * them): the Host cannot resolve the registry's name, nothing listens there, or no route reaches it.
 */
export function pullHint(message: string, registry: string): string | undefined {
  if (/no such host|server misbehaving|Temporary failure in name resolution|lookup .* on /i.test(message)) {
    return `The Host cannot resolve ${registry}: check the name, or the Host's DNS and proxy settings.`;
  }
  if (/connection refused/i.test(message)) return `Nothing answers at ${registry}: is the registry running, and is the port right?`;
  if (/i\/o timeout|no route to host|network is unreachable|context deadline exceeded/i.test(message)) {
    return `No route from the Host to ${registry} (a firewall, a proxy, or an offline network?).`;
  }
  if (/manifest unknown|not found|repository does not exist/i.test(message)) return `${registry} has no such image or tag: check the name and the tag.`;
  if (/unauthorized|authentication required|denied/i.test(message)) return `${registry} refused access: log the Host's engine in (docker login ${registry}) or check the name.`;
  return undefined;
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
