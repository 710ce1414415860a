"use client";

import { useMemo } from "react";
import { endJobAction } from "@/components/jobs/actions";
import { useJobsOf } from "@/components/jobs/use-jobs";
import { CancelButton } from "@/components/ui/cancel-button";
import { ProgressBar } from "@/components/ui/progress-bar";
import { creationActive, creationView, type CreationJob } from "@/lib/shared/containers";
import { cancelCreationAction } from "./actions";

/** Create New Container and New container from this version jobs, as their rows show them (from useJobs). */
export function useCreations(): CreationJob[] {
  const jobs = useJobsOf("create", "restore");
  return useMemo(() => jobs.map(creationView), [jobs]);
}

/**
 * Table rows for containers being created (on any page: the job runs on the server, so closing the
 * modal or reloading leaves it going), with pull progress and Cancel; a failure stays with its reason.
 */
export function CreationRows({ creations, existing, columns, filter = "" }: { creations: CreationJob[]; existing: Set<string>; columns: number; filter?: string }) {
  // Once its container is in the list (from Docker's create event, before the job has started it),
  // the container's own row stands for it: the same environment is never shown twice. `existing`
  // is the list this same render shows, so one row takes over from the other with no gap. A failed
  // creation stays until dismissed (here or in the Jobs notices). Like the rows, they follow the
  // name filter.
  const shown = creations.filter(
    (c) => c.container.includes(filter) && !existing.has(c.container) && (creationActive(c) || c.phase === "failed"),
  );
  return shown.map((c) => <CreationRow key={c.id} job={c} columns={columns} />);
}

function CreationRow({ job, columns }: { job: CreationJob; columns: number }) {
  const current = job.layers.reduce((n, l) => n + (l.current ?? 0), 0);
  const total = job.layers.reduce((n, l) => n + (l.total ?? 0), 0);
  const active = creationActive(job);
  return (
    <tr data-testid="creation-row" data-creating={job.container} className={active ? "bg-teal-50/40" : "bg-red-50/40"}>
      <td colSpan={columns} className="px-4 py-2.5">
        <div role="status" aria-label={`Creating ${job.container}`} className="flex flex-wrap items-start gap-x-4 gap-y-2 text-xs">
          <div className="min-w-0 flex-1 basis-64">
            <p className="[overflow-wrap:anywhere]">
              <span className="font-mono text-sm font-medium">{job.container}</span>{" "}
              <span className="font-mono text-slate-600">{job.image}</span>
            </p>
            {/* The job's own words: the same as in the Jobs notices. */}
            <p className={`mt-0.5 [overflow-wrap:anywhere] ${active ? "text-slate-700" : "text-red-800"}`}>{job.status}</p>
          </div>
          <div className="flex shrink-0 items-center gap-3">
            {active && total > 0 && <ProgressBar label={`Pulling ${job.image}`} percent={Math.min(99, Math.floor((current / total) * 100))} className="w-32" />}
            {active ? <CancelButton cancel={() => cancelCreationAction(job.env)} /> : <CancelButton label="Dismiss" cancel={() => endJobAction(job.id)} />}
          </div>
        </div>
      </td>
    </tr>
  );
}
