"use client";

import { useQuery } from "@tanstack/react-query";
import { getJson } from "@/components/query/api";
import { queryKeys } from "@/components/query/keys";
import { useLiveConnected } from "@/components/query/live";
import { CancelButton } from "@/components/ui/cancel-button";
import { formatBytes } from "@/components/ui/format";
import { ProgressBar } from "@/components/ui/progress-bar";
import { creationActive, type CreationJob } from "@/lib/shared/containers";
import { cancelCreationAction } from "./actions";

/** Create New Container jobs: pushed over /live, polled only while it is down. */
export function useCreations(): CreationJob[] {
  const live = useLiveConnected();
  const { data = [] } = useQuery({
    queryKey: queryKeys.creations,
    queryFn: async () => (await getJson<{ creations: CreationJob[] }>("/api/creations")).creations,
    refetchInterval: (q) => (live ? false : q.state.data?.some(creationActive) ? 1000 : 10_000),
    refetchOnWindowFocus: !live,
  });
  return data;
}

/**
 * Table rows for containers being created (on any page: the job runs on the server, so closing the
 * modal or reloading leaves it going), with pull progress and Cancel; a failure stays with its reason.
 */
export function CreationRows({ creations, existing, columns, filter = "" }: { creations: CreationJob[]; existing: Set<string>; columns: number; filter?: string }) {
  // A finished creation's container is in the list by now; a failed one stays visible a while.
  // Like the rows, they follow the name filter.
  const shown = creations.filter(
    (c) => c.container.includes(filter) && (creationActive(c) || (c.phase === "failed" && !existing.has(c.container))),
  );
  return shown.map((c) => <CreationRow key={c.id} job={c} columns={columns} />);
}

function CreationRow({ job, columns }: { job: CreationJob; columns: number }) {
  const current = job.layers.reduce((n, l) => n + (l.current ?? 0), 0);
  const total = job.layers.reduce((n, l) => n + (l.total ?? 0), 0);
  const active = creationActive(job);
  return (
    <tr data-testid="creation-row" data-creating={job.container} className="bg-teal-50/40">
      <td colSpan={columns} className="px-4 py-2.5">
        <div role="status" aria-label={`Creating ${job.container}`} className="flex flex-wrap items-center gap-x-4 gap-y-1 text-xs">
          <span className="font-mono font-medium">{job.container}</span>
          <span className="font-mono text-slate-600">{job.image}</span>
          <span className={`[overflow-wrap:anywhere] ${active ? "text-slate-700" : "text-red-800"}`}>{active ? job.status : `Could not create: ${job.error}`}</span>
          {active && total > 0 && (
            <>
              {/* Ticking bytes stay out of the announcements; the bar carries the percentage. */}
              <span aria-hidden className="font-mono text-slate-600">
                {formatBytes(current)} / {formatBytes(total)} in {job.layers.length} {job.layers.length === 1 ? "layer" : "layers"}
              </span>
              <ProgressBar label={`Pulling ${job.image}`} percent={Math.min(99, Math.floor((current / total) * 100))} className="w-40" />
            </>
          )}
          {active && <CancelButton cancel={() => cancelCreationAction(job.env)} />}
        </div>
      </td>
    </tr>
  );
}
