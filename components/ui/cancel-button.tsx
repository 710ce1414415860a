"use client";

import type { ActionResult } from "@/lib/shared/results";
import { Button } from "./button";
import { useAction } from "./use-action";

/**
 * Cancel for a running job (or, with `label="Dismiss"`, Dismiss for a finished one): pending while
 * its server action runs, the server's message on refusal — and on a failed call, never busy forever.
 */
export function CancelButton({ cancel, after, label = "Cancel" }: { cancel: () => Promise<ActionResult>; after?: () => Promise<unknown>; label?: "Cancel" | "Dismiss" }) {
  const { pending, run } = useAction();
  return (
    <Button
      variant={label === "Cancel" ? "danger" : "secondary"}
      pending={pending}
      pendingLabel={label === "Cancel" ? "Cancelling…" : "Dismissing…"}
      onClick={() => run(cancel, { success: "none", after })}
    >
      {label}
    </Button>
  );
}
