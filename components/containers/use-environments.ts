"use client";

import { useQuery } from "@tanstack/react-query";
import { getJson } from "@/components/query/api";
import { useLiveConnected } from "@/components/query/live";
import { queryKeys } from "@/components/query/keys";
import type { EnvironmentSummary } from "@/lib/shared/tarballs";

/**
 * The environments in shared storage by name (latest version, number of versions), for the Host
 * Containers rows. The same query as the Shared Tarballs tab's, so a job's end or a change in the
 * directory (pushed over /live) refreshes both.
 */
export function useEnvironmentSummaries(): Map<string, EnvironmentSummary> | undefined {
  const live = useLiveConnected();
  const { data } = useQuery({
    queryKey: [...queryKeys.tarballs, "summary"],
    queryFn: async () => {
      try {
        return await getJson<{ environments: EnvironmentSummary[]; error?: string }>("/api/tarballs?summary=1");
      } catch (err) {
        return { environments: [], error: (err as Error).message };
      }
    },
    // Pushed over /live (a hint when the dir changes, a rescan every 30 s for NFS); polled only while that is down.
    refetchInterval: live ? false : 10_000,
  });
  return data && !data.error ? new Map(data.environments.map((e) => [e.name, e])) : undefined;
}
