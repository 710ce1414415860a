import { changeRole, removePerson } from "@/lib/auth/people-admin";
import { handleApi, readJsonBody } from "@/lib/http";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ name: string }> };

/** `{ role }`: changes a person's role (their open sockets reconnect with it). */
export async function PATCH(request: Request, { params }: Params) {
  const { name } = await params;
  return handleApi(request, async (who) => Response.json({ ok: true, message: changeRole(who, name, await readJsonBody(request)) }));
}

/** Removes a person, their tokens, sessions and shells. */
export async function DELETE(request: Request, { params }: Params) {
  const { name } = await params;
  return handleApi(request, async (who) => Response.json({ ok: true, message: removePerson(who, name) }));
}
