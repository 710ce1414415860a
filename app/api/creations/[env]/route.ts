import { commandResponse } from "@/lib/http";

/** Cancels a running creation: its pull is aborted and nothing is left behind. */
export async function DELETE(request: Request, { params }: { params: Promise<{ env: string }> }) {
  return commandResponse(request, "container.create.cancel", (await params).env);
}
