"use client";

import { createContext, useContext, type ReactNode } from "react";
import { roleAllows, roleMessage, type Principal, type Role } from "@/lib/shared/roles";

/** Who is signed in, for the page: buttons their role cannot use are shown disabled with the reason. */
const PrincipalContext = createContext<Principal | undefined>(undefined);

export function PrincipalProvider({ principal, children }: { principal: Principal; children: ReactNode }) {
  return <PrincipalContext.Provider value={principal}>{children}</PrincipalContext.Provider>;
}

export function usePrincipal(): Principal | undefined {
  return useContext(PrincipalContext);
}

/** Why the signed-in person cannot do what needs `need`, or undefined when they can (the server checks regardless). */
export function useRoleReason(need: Role | undefined): string | undefined {
  const principal = usePrincipal();
  if (!need || !principal || roleAllows(principal.role, need)) return undefined;
  return roleMessage(need, principal.role);
}
