import { commandResponse } from "@/lib/http";

/** Deletes one version: only `<name>-<timestamp>.tar` directly in the container dir. */
export async function DELETE(request: Request, { params }: { params: Promise<{ file: string }> }) {
  return commandResponse(request, "tarball.delete", (await params).file);
}
