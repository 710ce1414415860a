import { apiUnauthorized } from "@/lib/auth/next";
import { errorResponse } from "@/lib/http";
import { deleteVersion } from "@/lib/tarballs/store";

/** Deletes one version: only `<name>-<timestamp>.tar` directly in the container dir. */
export async function DELETE(request: Request, { params }: { params: Promise<{ file: string }> }) {
  const denied = apiUnauthorized(request);
  if (denied) return denied;
  try {
    const { file } = await params;
    await deleteVersion(file);
    return Response.json({ ok: true, deleted: file });
  } catch (err) {
    return errorResponse(err);
  }
}
