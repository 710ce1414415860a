"use client";

import { memo } from "react";
import { isActive, type EnvironmentSummary, type PackageJob } from "@/lib/shared/tarballs";
import type { HostContainer } from "@/lib/shared/containers";
import { describeStatus } from "@/lib/shared/status";
import { LocalTime } from "@/components/ui/local-time";
import { StatusTag } from "@/components/ui/status-tag";
import { PackageProgress } from "@/components/tarballs/package-progress";
import { ContainerActions } from "./container-actions";
import { EnvironmentVersions } from "./environment-versions";

/** The Host Containers table's columns: the name takes what the status and the line of buttons leave. */
export const CONTAINER_COLUMNS = [
  { label: "Container", className: "w-full px-4 py-2.5" },
  { label: "Status", className: "w-36 px-4 py-2.5" },
  { label: "Actions", className: "w-px px-4 py-2.5 text-right" },
];

/**
 * One container and its running Create Tar. Memoised: a pushed change re-renders the rows that
 * changed (the cache keeps the others' objects), so a burst of 1,000 new containers costs the
 * page the new rows, not 50 rows per push.
 *
 * From 56rem a table row: name (in full, wrapping), image and versions | status | the buttons on
 * one line. Narrower, a stacked row: name and the rest under it, the buttons on a line of their
 * own (wrapping on small screens), or behind "More actions" beside the name on phones.
 */
export const ContainerRow = memo(function ContainerRow({
  c,
  job,
  showAll,
  summary,
  summariesKnown,
}: {
  c: HostContainer;
  job?: PackageJob;
  showAll: boolean;
  summary?: EnvironmentSummary;
  summariesKnown: boolean;
}) {
  return (
    <>
      <tr data-testid="container-row" data-name={c.name} className="align-top @max-4xl:grid-cols-[minmax(0,1fr)_auto]">
        <th scope="row" className="px-4 py-2.5 text-left font-medium @max-4xl:col-start-1">
          <span className="font-mono [overflow-wrap:anywhere]">{c.name}</span>
          <ContainerMarks c={c} showAll={showAll} />
          <span className="mt-0.5 block font-mono text-xs font-normal text-slate-600 [overflow-wrap:anywhere]">{c.image}</span>
          {c.envName && <EnvironmentVersions env={c.envName} summary={summary} known={summariesKnown} />}
        </th>
        <td className="px-4 py-2.5 @max-4xl:col-start-1">
          <ContainerStatus c={c} packagePhase={job && isActive(job) ? job.phase : undefined} />
        </td>
        <td className="px-4 py-2.5 max-sm:col-start-2 max-sm:row-span-2 max-sm:row-start-1 sm:@max-4xl:col-span-2">
          <ContainerActions container={c} job={job} />
        </td>
      </tr>
      {job && (
        <tr data-testid="packaging-row" data-packaging-for={c.name} className="bg-slate-50/60">
          <td colSpan={3} className="px-4 py-2">
            <PackageProgress job={job} />
          </td>
        </tr>
      )}
    </>
  );
});

/** Under the name: managed (in Show all), adopted, and the environment when it is not the name. */
function ContainerMarks({ c, showAll }: { c: HostContainer; showAll: boolean }) {
  if (!((showAll && c.managed) || c.adopted || (c.envName && c.envName !== c.name))) return null;
  return (
    <span className="mt-1 flex flex-wrap gap-x-2 gap-y-1">
      {showAll && c.managed && (
        <span className="rounded bg-teal-50 px-1.5 py-0.5 text-[11px] font-medium text-teal-800 ring-1 ring-inset ring-teal-600/20">managed</span>
      )}
      {c.adopted && (
        <span
          className="rounded bg-slate-100 px-1.5 py-0.5 text-[11px] font-medium text-slate-700 ring-1 ring-inset ring-slate-500/20"
          title="Made outside the dashboard and adopted; the adoption is kept in the data dir"
        >
          adopted
        </span>
      )}
      {c.envName && c.envName !== c.name && (
        <span className="max-w-full text-xs font-normal text-slate-600 [overflow-wrap:anywhere]">env {c.envName}</span>
      )}
    </span>
  );
}

/** The state, a plain line about it, and when it was made (the date on hover): under each other in the table, on one line when stacked. */
function ContainerStatus({ c, packagePhase }: { c: HostContainer; packagePhase?: string }) {
  // Create Tar's commit holds the pause: "Packaging · paused for the commit".
  const status = describeStatus(c, packagePhase);
  return (
    <div className="flex flex-col items-start gap-0.5 @max-4xl:flex-row @max-4xl:flex-wrap @max-4xl:items-center @max-4xl:gap-x-2">
      <StatusTag view={status} title={status.title} />
      {status.detail && (
        <span data-testid="status-detail" className={`block text-xs ${status.warning ? "text-amber-900" : "text-slate-600"}`}>
          {status.detail}
        </span>
      )}
      <span className="block text-xs whitespace-nowrap text-slate-600">
        created <LocalTime iso={c.createdAt} ageOnly />
      </span>
    </div>
  );
}
