import { endSessions } from "@/lib/auth/people-admin";
import { handleApi } from "@/lib/http";

export const dynamic = "force-dynamic";

/** Ends every login session of a person (and their shells); they log in again. */
export async function DELETE(request: Request, { params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return handleApi(request, async (who) => Response.json({ ok: true, message: endSessions(who, name) }));
}
