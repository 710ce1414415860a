"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { HostContainer } from "@/lib/docker/types";

/** One page of the table, as the server render and GET /api/containers?page= give it. */
export interface ContainersSnapshot {
  containers: HostContainer[];
  total: number;
  page: number;
  pages: number;
  error?: string;
  code?: string;
}

/** What the URL asks for: all containers or the managed ones, a name filter, a page. */
export interface ContainersView {
  all: boolean;
  q: string;
  page: number;
}

export const containersKey = (view: ContainersView) => ["containers", view] as const;

const POLL_MS = 3000;

async function fetchContainers(view: ContainersView): Promise<ContainersSnapshot> {
  const params = new URLSearchParams({ page: String(view.page) });
  if (view.all) params.set("all", "1");
  if (view.q) params.set("q", view.q);
  const res = await fetch(`/api/containers?${params}`, { cache: "no-store" });
  if (res.status === 401) {
    window.location.assign("/login");
    return { containers: [], total: 0, page: 1, pages: 1, error: "Your session has ended.", code: "unauthorized:auth" };
  }
  const body = (await res.json().catch(() => ({}))) as Partial<ContainersSnapshot>;
  // An unreachable engine is a state to show, not a failed query: keep polling and show the banner.
  if (!res.ok) return { containers: [], total: 0, page: 1, pages: 1, error: body.error ?? `The server answered ${res.status}.`, code: body.code };
  return { containers: body.containers ?? [], total: body.total ?? 0, page: body.page ?? 1, pages: body.pages ?? 1 };
}

/** The live Host Containers page: seeded by the server render, refreshed by polling. */
export function useContainers(view: ContainersView, initial: ContainersSnapshot) {
  return useQuery({
    queryKey: containersKey(view),
    queryFn: () => fetchContainers(view),
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
