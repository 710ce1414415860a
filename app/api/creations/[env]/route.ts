import { commandResponse } from "@/lib/http";

/**
 * Cancels a running creation and answers once it has stopped: 200 when nothing was left behind,
 * 409 when it is too late (the container is made: delete it instead), 404 when none runs.
 */
export async function DELETE(request: Request, { params }: { params: Promise<{ env: string }> }) {
  return commandResponse(request, "container.create.cancel", (await params).env);
}
