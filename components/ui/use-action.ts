"use client";

import { useTransition } from "react";
import { toast } from "sonner";
import type { ActionResult } from "@/lib/shared/results";
import { callAction, type Failure } from "./call-action";


export interface RunOptions<R extends ActionResult> {
  /** On success: "toast" says the server's message (the default), "info" as an info toast, "none" says nothing. */
  success?: "toast" | "info" | "none";
  /** On failure: "toast" (the default) or "none" when `onFailure` shows it elsewhere (a form's error line). */
  failure?: "toast" | "none";
  onSuccess?: (result: Extract<R, { ok: true }>) => void;
  onFailure?: (result: Failure) => void;
  /** Always, after the result was shown: e.g. refresh the lists the action changed. Its failure is ignored. */
  after?: () => Promise<unknown> | void;
}

/**
 * "Run an action, say what came of it, refresh": one place for every button that calls a server
 * action. `pending` holds from the click until `after` ends, whatever the action did.
 */
export function useAction() {
  const [pending, startTransition] = useTransition();
  const run = <R extends ActionResult>(action: () => Promise<R>, options: RunOptions<R> = {}) =>
    startTransition(async () => {
      const result = await callAction(action);
      if (result.ok) {
        const say = options.success ?? "toast";
        if (say === "toast") toast.success(result.message);
        else if (say === "info") toast.info(result.message);
        options.onSuccess?.(result as Extract<R, { ok: true }>);
      } else {
        if ((options.failure ?? "toast") === "toast") toast.error(result.error);
        options.onFailure?.(result);
      }
      try {
        await options.after?.();
      } catch (err) {
        console.error("[hakuriver] refresh after an action failed:", err);
      }
    });
  return { pending, run };
}
