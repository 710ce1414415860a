import "server-only";
import { z } from "zod";
import { audit } from "@/lib/audit";
import { firstIssue } from "@/lib/schemas";
import { AppError } from "@/lib/shared/errors";
import { ROLES, roleAllows, type Who } from "@/lib/shared/roles";
import { endShellsWhere } from "@/lib/terminal/sessions";
import { TOKEN_NAME, peopleStore, type ApiToken } from "./people";

/**
 * Personal API tokens: made by a person (or the owner token) for a script or CI job, never with
 * more rights than the maker, shown once, stored only as a hash, revocable at once.
 */
export const tokenRequestSchema = z.object({
  name: z.string().regex(TOKEN_NAME, "A token's name is 1–48 letters, digits, spaces, '.', '_' or '-'."),
  role: z.enum(ROLES, "The role is viewer, operator or admin."),
  expiresInDays: z.number().int("expiresInDays is a whole number of days.").min(1).max(3650).optional(),
});

/** What a listing shows of a token: never the hash or the secret. */
export type TokenSummary = Omit<ApiToken, "hash">;

function summary(t: ApiToken): TokenSummary {
  return { id: t.id, name: t.name, person: t.person, role: t.role, created: t.created, expires: t.expires, lastUsed: t.lastUsed };
}

export function createToken(who: Who, input: unknown): TokenSummary & { token: string } {
  const parsed = tokenRequestSchema.safeParse(input);
  if (!parsed.success) throw new AppError("bad_request:input", firstIssue(parsed.error));
  const { name, role, expiresInDays } = parsed.data;
  if (!roleAllows(who.principal.role, role)) {
    audit({ session: who.id, action: "token.create", target: name, result: "denied", detail: `asked for ${role}` });
    throw new AppError("forbidden:role", `A token cannot have more rights than the person who makes it: you are ${who.principal.role}, so it can be at most ${who.principal.role}.`);
  }
  const expires = expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000).toISOString() : undefined;
  const { token, secret } = peopleStore().addToken({ name, person: who.principal.name, role, expires });
  audit({ session: who.id, action: "token.create", target: name, result: "ok", detail: `${token.id}: ${role}${expires ? ` until ${expires}` : ""}` });
  return { ...summary(token), token: secret };
}

/** An admin sees every token; anyone else their own. */
export function listTokens(who: Who): TokenSummary[] {
  const all = peopleStore().tokens();
  return (roleAllows(who.principal.role, "admin") ? all : all.filter((t) => t.person === who.principal.name)).map(summary);
}

/** Revokes a token (its maker's, or any for an admin); its sockets close and its shells end. */
export function revokeToken(who: Who, id: string): TokenSummary {
  const t = peopleStore().tokens().find((x) => x.id === id);
  // Someone else's token is "not found" to a non-admin: ids are not to be probed.
  if (!t || (t.person !== who.principal.name && !roleAllows(who.principal.role, "admin"))) {
    throw new AppError("not_found:token", "No such token (it may have been revoked already).");
  }
  peopleStore().revokeToken(id);
  endShellsWhere((owner) => owner.id === `token:${id}`, "its token was revoked");
  audit({ session: who.id, action: "token.revoke", target: t.name, result: "ok", detail: `${t.id} of ${t.person}` });
  return summary(t);
}
