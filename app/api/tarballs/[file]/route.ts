import { commands } from "@/lib/commands";
import { handleApi } from "@/lib/http";

/** Deletes one version: only `<name>-<timestamp>.tar` directly in the container dir. */
export async function DELETE(request: Request, { params }: { params: Promise<{ file: string }> }) {
  const { file } = await params;
  return handleApi(request, async () => Response.json({ ok: true, message: await commands["tarball.delete"](file) }), {
    action: "tarball.delete",
    target: file,
  });
}
