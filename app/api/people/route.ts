import { addPerson, listPeople } from "@/lib/auth/people-admin";
import { handleApi, readJsonBody } from "@/lib/http";

export const dynamic = "force-dynamic";

/** Admin only (lib/shared/roles.ts): every person, with their role and whether a password is set. */
export async function GET(request: Request) {
  return handleApi(request, async () => Response.json({ people: listPeople() }, { headers: { "Cache-Control": "no-store" } }));
}

/** `{ name, role }` → 201 `{ name, role, link }`: the one-time set-password link, shown this once. */
export async function POST(request: Request) {
  return handleApi(request, async (who) => Response.json(addPerson(who, request, await readJsonBody(request)), { status: 201, headers: { "Cache-Control": "no-store" } }));
}
