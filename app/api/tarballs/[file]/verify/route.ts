import { commandResponse, handleApi } from "@/lib/http";
import { AppError } from "@/lib/shared/errors";
import { versionFile } from "@/lib/tarballs/store";
import { verificationOf } from "@/lib/tarballs/verifications";

export const dynamic = "force-dynamic";

/** Starts Verify of one version (202, `{ verification }`); progress is pushed over /live (`verifications`). */
export async function POST(request: Request, { params }: { params: Promise<{ file: string }> }) {
  return commandResponse(request, "tarball.verify", (await params).file);
}

/** The running or last Verify of this exact file (same size and mtime); 404 when there is none. */
export async function GET(request: Request, { params }: { params: Promise<{ file: string }> }) {
  const { file } = await params;
  return handleApi(request, async () => {
    const { stat } = await versionFile(file);
    const verification = verificationOf(file, stat);
    if (!verification) throw new AppError("not_found:tarball", `${file} has not been verified.`);
    return Response.json({ verification }, { headers: { "Cache-Control": "no-store" } });
  });
}

/** Cancels a running Verify. */
export async function DELETE(request: Request, { params }: { params: Promise<{ file: string }> }) {
  return commandResponse(request, "tarball.verify.cancel", (await params).file);
}
