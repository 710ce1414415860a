import type { ActionResult } from "@/lib/shared/results";

/** What a call that never reached the server (it stopped, the network dropped) answers. */
export const SERVER_SILENT = "The dashboard server did not answer. Is it still running?";

export type Failure = Extract<ActionResult, { ok: false }>;

/**
 * A server action's call, with a call that throws (server gone, network down, a redirect to the
 * login page) turned into a failed result: the caller handles one shape and never stays busy.
 */
export async function callAction<R extends ActionResult>(action: () => Promise<R>): Promise<R | Failure> {
  try {
    return await action();
  } catch (err) {
    console.error("[hakuriver] server action failed:", err);
    return { ok: false, error: SERVER_SILENT, code: "unavailable:server" };
  }
}
