import { commandResponse, handleApi } from "@/lib/http";
import { ENV_VALUES_ROLE, roleAllows } from "@/lib/shared/roles";
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
  return handleApi(request, async (who) => {
    const { path, stat } = await versionFile(file);
    const read = await readImageDetails(path);
    // A viewer gets the names without the values (lib/shared/roles.ts ENV_VALUES_ROLE).
    const details = roleAllows(who.principal.role, ENV_VALUES_ROLE) ? read : { ...read, env: read.env.map((e) => ({ name: e.name, value: "" })) };
    return Response.json({ details: { ...details, verification: verificationOf(file, stat) } }, { headers: { "Cache-Control": "no-store" } });
  });
}

/** Deletes one version: only `<name>-<timestamp>.tar` directly in the container dir. */
export async function DELETE(request: Request, { params }: { params: Promise<{ file: string }> }) {
  return commandResponse(request, "tarball.delete", (await params).file);
}
