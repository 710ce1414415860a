import { commandResponse } from "@/lib/http";

export const dynamic = "force-dynamic";

/** Cancels a running job (its outcome follows: `cancelled`), or dismisses a finished one. */
export async function DELETE(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return commandResponse(request, "job.end", (await params).id);
}
