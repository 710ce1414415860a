/**
 * The one error type the dashboard shows to users. `code` is `<kind>:<subject>`; the kind decides
 * the HTTP status, the message is safe to show, and `cause` (logged, never sent) keeps the detail.
 */
export type ErrorKind =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "too_large"
  | "rate_limited"
  | "failed"
  | "unavailable";

/** What an error is about: a closed list, so the browser can switch on a code. */
export type ErrorSubject =
  // who and how the request came
  | "auth"
  | "login"
  | "origin"
  | "body"
  | "input"
  | "url"
  | "role"
  | "person"
  | "token"
  | "link"
  // the browser could not reach the dashboard server (client side only)
  | "server"
  // what it named
  | "env"
  | "image"
  | "user"
  | "container"
  | "container_dir"
  | "environment"
  | "tarball"
  | "command"
  | "runner"
  // what happened
  | "packaging"
  | "job"
  | "version"
  | "shell"
  | "docker"
  | "cancelled"
  | "start"
  | "pull"
  | "no_shell"
  | "exec"
  | "disk_full"
  | "disk"
  | "clock"
  | "sync"
  | "registry"
  | "push"
  | "logs"
  | "internal";

export type ErrorCode = `${ErrorKind}:${ErrorSubject}`;

const statusByKind: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  failed: 500,
  unavailable: 503,
};

/** The HTTP status an error code stands for. */
export function statusOf(code: ErrorCode): number {
  return statusByKind[code.slice(0, code.indexOf(":")) as ErrorKind] ?? 500;
}

/** Marks an AppError whichever bundle made it (see `Symbol.hasInstance` below). */
const APP_ERROR = Symbol.for("hakuriver.AppError");

export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly status: number;
  readonly [APP_ERROR] = true;

  /**
   * server.ts and Next's route bundles each load their own copy of this class, while process-wide
   * state (lib/runtime.ts: the job registry, say) throws from one bundle into the other's catch.
   * `instanceof AppError` is therefore a brand check, true for an AppError of any copy. Subclasses
   * keep the ordinary check.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (this !== AppError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null && (value as { [APP_ERROR]?: unknown })[APP_ERROR] === true;
  }

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "AppError";
    this.kind = code.slice(0, code.indexOf(":")) as ErrorKind;
    this.status = statusOf(code);
  }
}

/** What an API or action returns on failure: a code and a message fit for the user. */
export interface ErrorBody {
  error: string;
  code: ErrorCode;
}

/** Turns anything thrown into an AppError; unknown errors become a generic message and are logged. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  console.error("[hakuriver] unexpected error:", err);
  return new AppError("failed:internal", "Something went wrong on the server; see its log for details.", {
    cause: err,
  });
}

export function errorBody(err: AppError): ErrorBody {
  return { error: err.message, code: err.code };
}
