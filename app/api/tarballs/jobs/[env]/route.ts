import { commands } from "@/lib/commands";
import { handleApi } from "@/lib/http";

/** Cancels the running Create Tar job of an environment. */
export async function DELETE(request: Request, { params }: { params: Promise<{ env: string }> }) {
  const { env } = await params;
  return handleApi(request, async () => Response.json({ ok: true, message: await commands["tarball.cancel"](env) }), {
    action: "tarball.cancel",
    target: env,
  });
}
