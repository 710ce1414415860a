import { revokeToken } from "@/lib/auth/tokens";
import { handleApi } from "@/lib/http";

export const dynamic = "force-dynamic";

/** Revokes a token at once: its next request is 401 and its open sockets close. */
export async function DELETE(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return handleApi(request, async (who) => Response.json({ ok: true, message: `Revoked ${revokeToken(who, id).name}.` }));
}
