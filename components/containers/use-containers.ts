"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { HostContainer } from "@/lib/docker/types";

export interface ContainersSnapshot {
  containers: HostContainer[];
  error?: string;
  code?: string;
}

export const containersKey = (all: boolean) => ["containers", { all }] as const;

const POLL_MS = 3000;

async function fetchContainers(all: boolean): Promise<ContainersSnapshot> {
  const res = await fetch(`/api/containers${all ? "?all=1" : ""}`, { cache: "no-store" });
  if (res.status === 401) {
    window.location.assign("/login");
    return { containers: [], error: "Your session has ended.", code: "unauthorized:auth" };
  }
  const body = (await res.json().catch(() => ({}))) as Partial<ContainersSnapshot> & { error?: string; code?: string };
  // An unreachable engine is a state to show, not a failed query: keep polling and show the banner.
  if (!res.ok) return { containers: [], error: body.error ?? `The server answered ${res.status}.`, code: body.code };
  return { containers: body.containers ?? [] };
}

/** The live Host Containers list: seeded by the server render, refreshed by polling. */
export function useContainers(all: boolean, initial: ContainersSnapshot) {
  return useQuery({
    queryKey: containersKey(all),
    queryFn: () => fetchContainers(all),
    initialData: initial,
    initialDataUpdatedAt: Date.now(),
    refetchInterval: POLL_MS,
  });
}

/** Refreshes every containers list now (after an action). */
export function useRefreshContainers() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: ["containers"] });
}
