"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { useJobEnds, useJobsOf } from "@/components/jobs/use-jobs";
import { queryKeys } from "@/components/query/keys";
import { packageView, type PackageJob } from "@/lib/shared/tarballs";

export const tarballsKey = queryKeys.tarballs;

/**
 * Create Tar jobs (lib/jobs kind "package"), the running or last one per environment, as the rows
 * show them; announced when they end (in the job's own words, as the Jobs notices say them), and
 * the versions re-read then. Use once per page.
 */
export function usePackageJobs(): PackageJob[] {
  const client = useQueryClient();
  const jobs = useJobsOf("package");
  useJobEnds(["package"], () => void client.invalidateQueries({ queryKey: tarballsKey }));
  return useMemo(() => {
    const seen = new Set<string>();
    return jobs.filter((j) => !seen.has(j.target) && seen.add(j.target)).map(packageView);
  }, [jobs]);
}

/** Reads the jobs again at once (after starting or cancelling one, without waiting for the push). */
export function useRefreshJobs() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: queryKeys.jobs });
}
