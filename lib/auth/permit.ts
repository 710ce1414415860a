import "server-only";
import { audit } from "@/lib/audit";
import { roleAllows, roleMessage, type Principal, type Role } from "@/lib/shared/roles";

export interface RoleDenial {
  status: 403;
  code: "forbidden:role";
  error: string;
}

/**
 * The one role check: every route (the gate), command (lib/commands.ts execute), socket event
 * (lib/terminal/socket.ts) and download asks here, with the role lib/shared/roles.ts names for it.
 * A refusal is audited as `denied` under the caller's name.
 */
export function permit(who: { id: string; principal: Principal }, need: Role, action: string, target: string, what?: string): RoleDenial | undefined {
  if (roleAllows(who.principal.role, need)) return undefined;
  const error = roleMessage(need, who.principal.role, what);
  audit({ session: who.id, action, target, result: "denied", detail: `needs ${need}` });
  return { status: 403, code: "forbidden:role", error };
}
