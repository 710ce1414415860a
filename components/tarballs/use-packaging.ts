"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { toast } from "sonner";
import { getJson } from "@/components/query/api";
import { queryKeys } from "@/components/query/keys";
import { useLiveConnected } from "@/components/query/live";
import { isActive, type PackageJob } from "@/lib/shared/tarballs";

export const jobsKey = queryKeys.jobs;
export const tarballsKey = queryKeys.tarballs;

const fetchJobs = async () => (await getJson<{ jobs: PackageJob[] }>("/api/tarballs/jobs")).jobs;

/**
 * Create Tar jobs, pushed as they change (polled every second while one runs when the live
 * connection is down), and announced when they end. Use once per page.
 */
export function usePackagingJobs(): PackageJob[] {
  const client = useQueryClient();
  const live = useLiveConnected();
  const { data = [] } = useQuery({
    queryKey: jobsKey,
    queryFn: fetchJobs,
    // Pushed while the live connection is up; polled only while it is down.
    refetchInterval: (q) => (live ? false : q.state.data?.some(isActive) ? 1000 : 5000),
    refetchOnWindowFocus: !live,
  });
  const seen = useRef<Map<string, PackageJob["phase"]> | null>(null);
  useEffect(() => {
    const before = seen.current;
    seen.current = new Map(data.map((j) => [j.id, j.phase]));
    if (!before) return; // first load: do not announce old news
    for (const job of data) {
      const was = before.get(job.id);
      if (was === undefined || was === job.phase || isActive(job)) continue;
      if (job.phase === "done") {
        const pruned = job.pruned?.length ? ` Removed older ${job.pruned.length === 1 ? "version" : "versions"}: ${job.pruned.join(", ")}.` : "";
        toast.success(`Packaged ${job.env} as ${job.file}.${pruned}`);
      }
      else if (job.phase === "failed") toast.error(`Create Tar of ${job.env} failed: ${job.error}`);
      else if (job.phase === "cancelled") toast.info(`Create Tar of ${job.env} was cancelled; no file was kept.`);
      void client.invalidateQueries({ queryKey: tarballsKey });
    }
  }, [data, client]);
  return data;
}

export function useRefreshJobs() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: jobsKey });
}
