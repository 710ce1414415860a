import { commandResponse } from "@/lib/http";

/** Cancels the running Create Tar job of an environment. */
export async function DELETE(request: Request, { params }: { params: Promise<{ env: string }> }) {
  return commandResponse(request, "tarball.cancel", (await params).env);
}
