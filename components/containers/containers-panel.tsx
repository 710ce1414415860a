"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { memo, useDeferredValue, useEffect, useOptimistic, useState, useTransition } from "react";
import { isActive, type EnvironmentSummary, type PackageJob } from "@/lib/shared/tarballs";
import type { HostContainer } from "@/lib/shared/containers";
import { Button } from "@/components/ui/button";
import { LocalTime, useNow } from "@/components/ui/local-time";
import { PAGE_SIZE } from "@/lib/shared/paging";
import { DataTable } from "@/components/ui/data-table";
import { StatusTag } from "@/components/ui/status-tag";
import { describeStatus } from "@/lib/shared/status";
import { TruncatedText } from "@/components/ui/truncated-text";
import { PackageProgress } from "@/components/tarballs/package-progress";
import { usePackageJobs } from "@/components/tarballs/use-package-jobs";
import { ContainerActions } from "./container-actions";
import { CreationRows, useCreations } from "./creations";
import { CreateContainerButton } from "./create-container-dialog";
import { useContainers, type ContainersSnapshot, type ContainersView } from "./use-containers";
import { EnvironmentVersions } from "./environment-versions";
import { useEnvironmentSummaries } from "./use-environments";

export function ContainersPanel({ initial, view, endpoint }: { initial: ContainersSnapshot; view: ContainersView; endpoint: string }) {
  const showAll = view.all;
  const { data } = useContainers(view, initial);
  // Pushed lists render in the background, in slices the browser can interrupt: a burst of changes
  // never holds the page (typing, clicks) for the time it takes to render 50 new rows.
  const snapshot = useDeferredValue(data ?? initial);
  const jobs = usePackageJobs();
  const creations = useCreations();
  const jobByEnv = new Map<string, PackageJob>();
  for (const job of jobs) if (!jobByEnv.has(job.env)) jobByEnv.set(job.env, job); // newest first
  const environments = useEnvironmentSummaries();
  // A Create Tar goes on when its container is deleted: keep its progress and Cancel in view
  // (and its outcome for a minute after), on the first page, when the filter matches its container.
  const listed = new Set(snapshot.containers.flatMap((c) => (c.envName ? [c.envName] : [])));
  const now = useNow();
  const recent = (now ?? 0) - 60_000;
  const orphanJobs =
    view.page <= 1
      ? [...jobByEnv.values()].filter(
          (j) =>
            !listed.has(j.env) &&
            j.container.includes(view.q) &&
            (isActive(j) || (j.finishedAt !== undefined && Date.parse(j.finishedAt) > recent)),
        )
      : [];
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const [switching, startSwitch] = useTransition();
  // The box ticks at once; the list follows when the navigation lands.
  const [checked, setChecked] = useOptimistic(showAll);

  // The view lives in the URL, so a reload or a shared link shows the same list.
  const navigate = (change: Record<string, string | null>, optimisticAll?: boolean) => {
    const params = new URLSearchParams(search.toString());
    params.set("tab", "containers");
    for (const [key, value] of Object.entries(change)) {
      if (value) params.set(key, value);
      else params.delete(key);
    }
    startSwitch(() => {
      if (optimisticAll !== undefined) setChecked(optimisticAll);
      router.replace(`${pathname}?${params.toString()}`, { scroll: false });
    });
  };
  const toggleAll = (wanted: boolean) => navigate({ all: wanted ? "1" : null, page: null }, wanted);
  const [filter, setFilter] = useState(view.q);
  useEffect(() => {
    if (filter === view.q) return;
    const timer = setTimeout(() => navigate({ q: filter.trim() || null, page: null }), 250);
    return () => clearTimeout(timer);
    // navigate is rebuilt every render; the filter text is what matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filter]);

  return (
    <section aria-label="Host Containers" tabIndex={-1} className="focus:outline-none">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <input
            type="checkbox"
            checked={checked}
            aria-busy={switching || undefined}
            onChange={(e) => toggleAll(e.target.checked)}
            className="h-4 w-4 rounded border-slate-300 accent-teal-700"
          />
          Show all containers
        </label>
        <input
          type="search"
          aria-label="Filter by name"
          placeholder="Filter by name"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          className="w-full rounded-md border border-slate-300 px-3 py-1.5 sm:w-56 text-sm focus:border-teal-600 focus:outline-none focus:ring-2 focus:ring-teal-600/30"
        />
        <span className="flex-1" />
        <CreateContainerButton />
      </div>

      {snapshot.error && (
        <div role="alert" className="mt-4 rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900">
          <p className="font-medium">{snapshot.code === "unavailable:docker" ? "Docker engine unreachable" : "Could not list containers"}</p>
          <p className="mt-0.5">{snapshot.error}</p>
          {snapshot.code === "unavailable:docker" && (
            <p className="mt-0.5 text-red-800/80">Endpoint tried: {endpoint}. This page retries every few seconds.</p>
          )}
        </div>
      )}

      <DataTable
        fixed
        columns={[
          { label: "Name" },
          { label: "Image", className: "hidden w-[18%] px-4 py-2.5 md:table-cell" },
          { label: "Status", className: "w-32 px-4 py-2.5 sm:w-40" },
          { label: "Created", className: "hidden w-40 px-4 py-2.5 lg:table-cell" },
          { label: <span className="sr-only xl:not-sr-only">Actions</span>, className: "w-16 px-4 py-2.5 text-right xl:w-[22rem]" },
        ]}
        empty={
          snapshot.containers.length === 0 &&
          !snapshot.error &&
          orphanJobs.length === 0 &&
          (view.q ? (
            `No container name contains "${view.q}".`
          ) : showAll ? (
            "No containers on this host."
          ) : (
            <>
              No HakuRiver containers yet. Use <strong>Create New Container</strong> to make one from an image, or tick{" "}
              <strong>Show all containers</strong> to see everything on this host.
            </>
          ))
        }
      >
        <CreationRows creations={creations} existing={new Set(snapshot.containers.map((c) => c.name))} columns={5} filter={view.q} />
        {orphanJobs.map((job) => (
          <tr key={job.id} data-testid="packaging-row" data-packaging-for={job.container} className="bg-slate-50/60">
            <td colSpan={5} className="px-4 py-2">
              <p className="mb-1 text-xs text-slate-600 [overflow-wrap:anywhere]">
                Create Tar of <span className="font-mono font-medium text-slate-800">{job.env}</span>
                {isActive(job) ? `: container ${job.container} is no longer on this host; the job goes on with what it committed.` : ""}
              </p>
              <PackageProgress job={job} />
            </td>
          </tr>
        ))}
        {snapshot.containers.map((c) => (
          <ContainerRow
            key={c.id}
            c={c}
            job={c.envName ? jobByEnv.get(c.envName) : undefined}
            showAll={showAll}
            summary={c.envName ? environments?.get(c.envName) : undefined}
            summariesKnown={environments !== undefined}
          />
        ))}
      </DataTable>
      {snapshot.total > snapshot.containers.length && (
        <nav aria-label="Pages" className="mt-3 flex items-center justify-end gap-3 text-sm text-slate-600">
          <span>
            {(snapshot.page - 1) * PAGE_SIZE + 1}–{(snapshot.page - 1) * PAGE_SIZE + snapshot.containers.length} of {snapshot.total}
          </span>
          <Button onClick={() => navigate({ page: String(snapshot.page - 1) })} unavailable={snapshot.page <= 1} reason="This is the first page.">
            Previous
          </Button>
          <Button onClick={() => navigate({ page: String(snapshot.page + 1) })} unavailable={snapshot.page >= snapshot.pages} reason="This is the last page.">
            Next
          </Button>
        </nav>
      )}
    </section>
  );
}

/**
 * One container and its running Create Tar. Memoised: a pushed change re-renders the rows that
 * changed (the cache keeps the others' objects), so a burst of 1,000 new containers costs the
 * page the new rows, not 50 rows per push.
 */
const ContainerRow = memo(function ContainerRow({
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
  const status = describeStatus(c, job && isActive(job) ? job.phase : undefined);
  return (
    <>
      <tr data-testid="container-row" data-name={c.name} className="align-top">
        <th scope="row" className="px-4 py-2.5 text-left font-medium">
          <TruncatedText text={c.name} className="font-mono" />
          {(showAll && c.managed) || c.adopted || (c.envName && c.envName !== c.name) ? (
            <span className="mt-1 flex flex-wrap gap-x-2 gap-y-1">
              {showAll && c.managed && (
                <span className="rounded bg-teal-50 px-1.5 py-0.5 text-[11px] font-medium text-teal-800 ring-1 ring-inset ring-teal-600/20">
                  managed
                </span>
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
                <span className="max-w-full truncate text-xs font-normal text-slate-600">env {c.envName}</span>
              )}
            </span>
          ) : null}
          <span className="mt-0.5 block text-xs font-normal text-slate-600 md:hidden">
            <TruncatedText text={c.image} className="font-mono" />
          </span>
          {c.envName && <EnvironmentVersions env={c.envName} summary={summary} known={summariesKnown} />}
        </th>
        <td className="hidden px-4 py-2.5 text-xs text-slate-700 md:table-cell">
          <TruncatedText text={c.image} className="font-mono" />
        </td>
        <td className="px-4 py-2.5">
          <StatusTag view={status} title={status.title} />
          {status.detail && (
            <span data-testid="status-detail" className={`mt-0.5 block text-xs ${status.warning ? "text-amber-900" : "text-slate-600"}`}>
              {status.detail}
            </span>
          )}
          <span className="mt-0.5 block text-xs text-slate-600 lg:hidden">
            created <LocalTime iso={c.createdAt} ageOnly />
          </span>
        </td>
        <td className="hidden px-4 py-2.5 text-xs text-slate-600 lg:table-cell">
          <LocalTime iso={c.createdAt} />
        </td>
        <td className="px-4 py-2.5">
          <ContainerActions container={c} job={job} />
        </td>
      </tr>
      {job && (
        <tr data-testid="packaging-row" data-packaging-for={c.name} className="bg-slate-50/60">
          <td colSpan={5} className="px-4 py-2">
            <PackageProgress job={job} />
          </td>
        </tr>
      )}
    </>
  );
});
