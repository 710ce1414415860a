"use client";

import { useQuery } from "@tanstack/react-query";
import { getJson } from "@/components/query/api";
import { queryKeys } from "@/components/query/keys";
import { useLiveConnected } from "@/components/query/live";
import { isRunning, type Job, type JobKind } from "@/lib/shared/jobs";

/**
 * Every job the server lists (lib/jobs), newest first: pushed over /live, polled only while it is
 * down (every second while one runs). Every view of a job — the notices, a row's progress — reads this.
 */
export function useJobs(): Job[] {
  const live = useLiveConnected();
  const { data = [] } = useQuery({
    queryKey: queryKeys.allJobs,
    queryFn: async () => (await getJson<{ jobs: Job[] }>("/api/jobs")).jobs,
    refetchInterval: (q) => (live ? false : q.state.data?.some(isRunning) ? 1000 : 10_000),
    refetchOnWindowFocus: !live,
  });
  return data;
}

/** The jobs of some kinds, as `useJobs` gives them. */
export function useJobsOf<K extends JobKind>(...kinds: K[]): Job<K>[] {
  return useJobs().filter((j): j is Job<K> => (kinds as JobKind[]).includes(j.kind));
}
