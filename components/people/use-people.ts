"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { getJson, sendJson } from "@/components/query/api";
import type { Role } from "@/lib/shared/roles";

export interface PersonRow {
  name: string;
  role: Role;
  created: string;
  passwordSet: boolean;
  sso: boolean;
  tokens: number;
}

export interface TokenRow {
  id: string;
  name: string;
  person: string;
  role: Role;
  created: string;
  expires?: string;
  lastUsed?: string;
}

export const peopleKey = ["people"] as const;

export function usePeople() {
  return useQuery({ queryKey: [...peopleKey, "list"], queryFn: async () => (await getJson<{ people: PersonRow[] }>("/api/people")).people });
}

export function useTokens() {
  return useQuery({ queryKey: [...peopleKey, "tokens"], queryFn: async () => (await getJson<{ tokens: TokenRow[] }>("/api/tokens")).tokens });
}

/** A change to people or tokens: its message (or error) as a toast, then the lists again. */
export function usePeopleChange<A>(send: (arg: A) => Promise<{ message?: string }>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: send,
    onSuccess: (answer) => answer.message && toast.success(answer.message),
    onError: (err) => toast.error(err.message),
    onSettled: () => client.invalidateQueries({ queryKey: peopleKey }),
  });
}

export const peopleApi = {
  add: (p: { name: string; role: Role }) => sendJson<{ name: string; role: Role; link: string }>("POST", "/api/people", p),
  link: (name: string) => sendJson<{ name: string; link: string }>("POST", `/api/people/${encodeURIComponent(name)}/link`),
  role: (p: { name: string; role: Role }) => sendJson<{ message: string }>("PATCH", `/api/people/${encodeURIComponent(p.name)}`, { role: p.role }),
  remove: (name: string) => sendJson<{ message: string }>("DELETE", `/api/people/${encodeURIComponent(name)}`),
  endSessions: (name: string) => sendJson<{ message: string }>("DELETE", `/api/people/${encodeURIComponent(name)}/sessions`),
  revokeToken: (id: string) => sendJson<{ message: string }>("DELETE", `/api/tokens/${encodeURIComponent(id)}`),
  makeToken: (t: { name: string; role: Role; expiresInDays?: number }) => sendJson<TokenRow & { token: string }>("POST", "/api/tokens", t),
};
