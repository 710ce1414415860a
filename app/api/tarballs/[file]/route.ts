import { commandResponse, handleApi } from "@/lib/http";
import { readImageDetails } from "@/lib/tarballs/image-config";
import { versionFile } from "@/lib/tarballs/store";
import { verificationOf } from "@/lib/tarballs/verifications";

export const dynamic = "force-dynamic";

/**
 * What one version holds, read from the tar itself (manifest.json, the image config and the layer
 * headers; never loaded into the engine), with the last Verify of this exact file.
 */
export async function GET(request: Request, { params }: { params: Promise<{ file: string }> }) {
  const { file } = await params;
  return handleApi(request, async () => {
    const { path, stat } = await versionFile(file);
    const details = await readImageDetails(path);
    return Response.json({ details: { ...details, verification: verificationOf(file, stat) } }, { headers: { "Cache-Control": "no-store" } });
  });
}

/** Deletes one version: only `<name>-<timestamp>.tar` directly in the container dir. */
export async function DELETE(request: Request, { params }: { params: Promise<{ file: string }> }) {
  return commandResponse(request, "tarball.delete", (await params).file);
}
