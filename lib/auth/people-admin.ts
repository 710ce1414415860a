import "server-only";
import { z } from "zod";
import { audit } from "@/lib/audit";
import { firstIssue } from "@/lib/schemas";
import { AppError } from "@/lib/shared/errors";
import { ROLES, type Role, type Who } from "@/lib/shared/roles";
import { endShellsWhere } from "@/lib/terminal/sessions";
import { peopleStore } from "./people";

/**
 * What an admin does with people (the People page and /api/people; the gate lets only admins
 * here): add (answering the one-time set-password link), change a role, remove, end sessions.
 * Each is audited under the admin's name; a person's shells end with their sessions.
 */
export interface PersonSummary {
  name: string;
  role: Role;
  created: string;
  passwordSet: boolean;
  /** Made by single sign-on: their role follows the provider at each sign-in, and they have no password. */
  sso: boolean;
  tokens: number;
}

const addSchema = z.object({ name: z.string(), role: z.enum(ROLES, "The role is viewer, operator or admin.") });
const roleSchema = z.object({ role: z.enum(ROLES, "The role is viewer, operator or admin.") });

export function listPeople(): PersonSummary[] {
  const store = peopleStore();
  return store.people().map((p) => ({ name: p.name, role: p.role, created: p.created, passwordSet: !!p.password, sso: !!p.sso, tokens: store.tokens().filter((t) => t.person === p.name).length }));
}

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new AppError("bad_request:input", firstIssue(parsed.error));
  return parsed.data;
}

/** The link's address as the admin's browser reached this server. */
function linkBase(request: Request): string {
  const proto = request.headers.get("x-hakuriver-proto") === "https" ? "https" : "http";
  return `${proto}://${request.headers.get("host") ?? "localhost"}`;
}

export function addPerson(who: Who, request: Request, input: unknown): { name: string; role: Role; link: string } {
  const { name, role } = parse(addSchema, input);
  const secret = peopleStore().add(name, role);
  audit({ session: who.id, action: "person.add", target: name, result: "ok", detail: role });
  return { name, role, link: `${linkBase(request)}/set-password?token=${secret}` };
}

export function newPasswordLink(who: Who, request: Request, name: string): { name: string; link: string } {
  const secret = peopleStore().resetLink(name);
  audit({ session: who.id, action: "person.link", target: name, result: "ok" });
  return { name, link: `${linkBase(request)}/set-password?token=${secret}` };
}

export function changeRole(who: Who, name: string, input: unknown): string {
  const { role } = parse(roleSchema, input);
  peopleStore().setRole(name, role);
  audit({ session: who.id, action: "person.role", target: name, result: "ok", detail: role });
  return `${name} is now ${role}.`;
}

export function removePerson(who: Who, name: string): string {
  peopleStore().remove(name);
  endShellsWhere((o) => o.person === name, "the person was removed");
  audit({ session: who.id, action: "person.remove", target: name, result: "ok" });
  return `Removed ${name}, their tokens and sessions.`;
}

export function endSessions(who: Who, name: string): string {
  peopleStore().endSessions(name);
  const shells = endShellsWhere((o) => o.person === name && o.session !== undefined, "their sessions were ended by an admin");
  audit({ session: who.id, action: "person.sessions.end", target: name, result: "ok", detail: `${shells} shell(s) ended` });
  return `Ended every session of ${name}${shells ? ` and ${shells} shell(s)` : ""}. Their personal tokens keep working until revoked.`;
}
