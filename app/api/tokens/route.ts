import { createToken, listTokens } from "@/lib/auth/tokens";
import { handleApi, readJsonBody } from "@/lib/http";

export const dynamic = "force-dynamic";

/** Personal API tokens: yours (every one for an admin), never their secrets, with their last use. */
export async function GET(request: Request) {
  return handleApi(request, async (who) => Response.json({ tokens: listTokens(who) }, { headers: { "Cache-Control": "no-store" } }));
}

/** `{ name, role, expiresInDays? }` → 201 `{ id, token, … }`: the secret is shown this once. */
export async function POST(request: Request) {
  return handleApi(request, async (who) => Response.json(createToken(who, await readJsonBody(request)), { status: 201, headers: { "Cache-Control": "no-store" } }));
}
