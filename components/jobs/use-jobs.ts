"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { toast } from "sonner";
import { getJson } from "@/components/query/api";
import { queryKeys } from "@/components/query/keys";
import { useLiveConnected } from "@/components/query/live";
import { isRunning, jobWords, type Job, type JobKind } from "@/lib/shared/jobs";

/**
 * Every job the server lists (lib/jobs), newest first: pushed over /live, polled only while it is
 * down (every second while one runs). Every view of a job — the notices, a row's progress — reads this.
 */
export function useJobs(): Job[] {
  const live = useLiveConnected();
  const { data = [] } = useQuery({
    queryKey: queryKeys.jobs,
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

/**
 * Announces each job of `kinds` that ends while the page is open, in the job's own words (a toast:
 * success, error or info by its outcome), and calls `onEnd` with it. Jobs that had ended before the
 * page loaded are old news. Use once per kind per page.
 */
export function useJobEnds(kinds: JobKind[], onEnd?: (job: Job) => void): void {
  const jobs = useJobs();
  const seen = useRef<Set<string> | null>(null);
  const key = kinds.join();
  useEffect(() => {
    const mine = jobs.filter((j) => kinds.includes(j.kind));
    const running = seen.current;
    seen.current = new Set(mine.filter(isRunning).map((j) => j.id));
    if (!running) return;
    for (const job of mine) {
      if (!running.has(job.id) || isRunning(job)) continue;
      const say = job.outcome?.result === "succeeded" ? toast.success : job.outcome?.result === "cancelled" ? toast.info : toast.error;
      say(jobWords(job));
      onEnd?.(job);
    }
    // kinds is compared by its key; onEnd is read as it is at the time.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [jobs, key]);
}
