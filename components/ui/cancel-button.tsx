"use client";

import { useTransition } from "react";
import { toast } from "sonner";
import type { ActionResult } from "@/lib/shared/results";
import { Button } from "./button";

/** Cancel for a running job: pending while its server action runs, the server's message on refusal. */
export function CancelButton({ cancel, after }: { cancel: () => Promise<ActionResult>; after?: () => Promise<unknown> }) {
  const [cancelling, startCancel] = useTransition();
  return (
    <Button
      variant="danger"
      pending={cancelling}
      pendingLabel="Cancelling…"
      onClick={() =>
        startCancel(async () => {
          const result = await cancel();
          if (!result.ok) toast.error(result.error);
          await after?.();
        })
      }
    >
      Cancel
    </Button>
  );
}
