"use client";

import { useTransition } from "react";
import { toast } from "sonner";
import type { ActionResult } from "@/lib/shared/results";
import { Button } from "./button";

/**
 * Cancel for a running job (or, with `label="Dismiss"`, Dismiss for a finished one): pending while
 * its server action runs, the server's message on refusal — and on a failed call, never busy forever.
 */
export function CancelButton({ cancel, after, label = "Cancel" }: { cancel: () => Promise<ActionResult>; after?: () => Promise<unknown>; label?: "Cancel" | "Dismiss" }) {
  const [cancelling, startCancel] = useTransition();
  return (
    <Button
      variant={label === "Cancel" ? "danger" : "secondary"}
      pending={cancelling}
      pendingLabel={label === "Cancel" ? "Cancelling…" : "Dismissing…"}
      onClick={() =>
        startCancel(async () => {
          const result = await cancel().catch((err: unknown) => ({ ok: false as const, error: `Could not reach the server: ${err instanceof Error ? err.message : String(err)}` }));
          if (!result.ok) toast.error(result.error);
          await after?.().catch(() => {});
        })
      }
    >
      {label}
    </Button>
  );
}
