import type { ErrorCode } from "./errors";

/** What a server action answers: never a throw, a message for the user either way. */
export type ActionResult = { ok: true; message: string; data?: Record<string, unknown> } | { ok: false; error: string; code: ErrorCode };
