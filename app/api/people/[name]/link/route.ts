import { newPasswordLink } from "@/lib/auth/people-admin";
import { handleApi } from "@/lib/http";

export const dynamic = "force-dynamic";

/** A new one-time set-password link (a forgotten password); older links stop working. */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return handleApi(request, async (who) => Response.json(newPasswordLink(who, request, name), { headers: { "Cache-Control": "no-store" } }));
}
