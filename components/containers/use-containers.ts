"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, getJson } from "@/components/query/api";
import { queryKeys } from "@/components/query/keys";
import { useLiveConnected } from "@/components/query/live";
import type { ContainersPage, ContainersView } from "@/lib/shared/containers";

/** One page of the table, as the server render and GET /api/containers?page= give it. */
export type ContainersSnapshot = ContainersPage;

export type { ContainersView };

export const containersKey = queryKeys.containersView;

const POLL_MS = 3000;

async function fetchContainers(view: ContainersView): Promise<ContainersSnapshot> {
  const params = new URLSearchParams({ page: String(view.page) });
  if (view.all) params.set("all", "1");
  if (view.q) params.set("q", view.q);
  try {
    return await getJson<ContainersPage>(`/api/containers?${params}`);
  } catch (err) {
    // An unreachable engine is a state to show, not a failed query: keep polling and show the banner.
    const e = err instanceof ApiError ? err : new ApiError(String(err), 0);
    return { containers: [], total: 0, page: 1, pages: 1, error: e.message, code: e.code };
  }
}

/**
 * The live Host Containers page: seeded by the server render, then kept current by pushed engine
 * events (components/query/live.tsx); it polls only while the live connection is down.
 */
export function useContainers(view: ContainersView, initial: ContainersSnapshot) {
  const [seededAt] = useState(() => Date.now());
  const live = useLiveConnected();
  return useQuery({
    queryKey: containersKey(view),
    queryFn: () => fetchContainers(view),
    initialData: initial,
    initialDataUpdatedAt: seededAt,
    refetchInterval: live ? false : POLL_MS,
    refetchOnWindowFocus: !live,
  });
}

/** Refreshes every containers list now (after an action). */
export function useRefreshContainers() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: queryKeys.containers });
}
