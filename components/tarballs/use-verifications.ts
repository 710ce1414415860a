"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { getJson } from "@/components/query/api";
import { queryKeys } from "@/components/query/keys";
import { useLiveConnected } from "@/components/query/live";
import type { Verification } from "@/lib/shared/tarballs";

/**
 * Verify runs pushed over /live (running, and those that ended lately); the kept result of older
 * runs comes with each version's listing and details. Nothing is fetched here.
 */
export function useVerification(file: string, kept?: Verification): Verification | undefined {
  const { data = [] } = useQuery<Verification[]>({
    queryKey: queryKeys.verifications,
    queryFn: () => [],
    staleTime: Infinity,
  });
  const pushed = data.find((v) => v.file === file);
  if (!pushed) return kept;
  return !kept || pushed.startedAt >= kept.startedAt ? pushed : kept;
}

/** Puts a Verify the server just started into the cache, so its row shows it before the first push. */
export function useNoteVerification() {
  const client = useQueryClient();
  return (v: Verification) =>
    client.setQueryData<Verification[]>(queryKeys.verifications, (list = []) => [v, ...list.filter((x) => x.file !== v.file)]);
}

/** While the live connection is down, a running Verify is polled (GET /api/tarballs/<file>/verify) every second. */
export function usePollVerification(file: string, running: boolean): void {
  const live = useLiveConnected();
  const note = useNoteVerification();
  useQuery({
    queryKey: [...queryKeys.verifications, "poll", file],
    enabled: running && !live,
    refetchInterval: 1000,
    queryFn: async () => {
      const { verification } = await getJson<{ verification: Verification }>(`/api/tarballs/${encodeURIComponent(file)}/verify`);
      note(verification);
      return verification;
    },
  });
}
