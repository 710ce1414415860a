"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useDeferredValue, useEffect, useOptimistic, useState, useTransition } from "react";
import { isActive, type PackageJob } from "@/lib/shared/tarballs";
import { Button } from "@/components/ui/button";
import { useNow } from "@/components/ui/local-time";
import { PAGE_SIZE } from "@/lib/shared/paging";
import { DataTable } from "@/components/ui/data-table";
import { PackageProgress } from "@/components/tarballs/package-progress";
import { usePackageJobs } from "@/components/tarballs/use-package-jobs";
import { CONTAINER_COLUMNS, ContainerRow } from "./container-row";
import { CreationRows, useCreations } from "./creations";
import { CreateContainerButton } from "./create-container-dialog";
import { useContainers, type ContainersSnapshot, type ContainersView } from "./use-containers";
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
  const orphanJobs = useOrphanJobs(jobByEnv, snapshot, view);
  const { navigate, ...toolbar } = useViewNavigation(view);

  return (
    <section aria-label="Host Containers" tabIndex={-1} className="focus:outline-none">
      <ContainersToolbar {...toolbar} />
      {snapshot.error && <ListError snapshot={snapshot} endpoint={endpoint} />}
      <DataTable
        stackBelow="4xl"
        columns={CONTAINER_COLUMNS}
        empty={snapshot.containers.length === 0 && !snapshot.error && orphanJobs.length === 0 && <EmptyList view={view} />}
      >
        <CreationRows creations={creations} existing={new Set(snapshot.containers.map((c) => c.name))} columns={CONTAINER_COLUMNS.length} filter={view.q} />
        {orphanJobs.map((job) => (
          <OrphanJobRow key={job.id} job={job} />
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
      {snapshot.total > snapshot.containers.length && <Pager snapshot={snapshot} navigate={navigate} />}
    </section>
  );
}

/**
 * A Create Tar goes on when its container is deleted: its progress and Cancel stay in view (and its
 * outcome for a minute after), on the first page, when the filter matches its container.
 */
function useOrphanJobs(jobByEnv: Map<string, PackageJob>, snapshot: ContainersSnapshot, view: ContainersView): PackageJob[] {
  const listed = new Set(snapshot.containers.flatMap((c) => (c.envName ? [c.envName] : [])));
  const now = useNow();
  const recent = (now ?? 0) - 60_000;
  if (view.page > 1) return [];
  return [...jobByEnv.values()].filter(
    (j) => !listed.has(j.env) && j.container.includes(view.q) && (isActive(j) || (j.finishedAt !== undefined && Date.parse(j.finishedAt) > recent)),
  );
}

type Navigate = (change: Record<string, string | null>, optimisticAll?: boolean) => void;

/** The view lives in the URL, so a reload or a shared link shows the same list: Show all, the filter (typed, then sent), the page. */
function useViewNavigation(view: ContainersView) {
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const [switching, startSwitch] = useTransition();
  // The box ticks at once; the list follows when the navigation lands.
  const [checked, setChecked] = useOptimistic(view.all);
  const navigate: Navigate = (change, optimisticAll) => {
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
  return { navigate, checked, switching, toggleAll, filter, setFilter };
}

function ContainersToolbar({
  checked,
  switching,
  toggleAll,
  filter,
  setFilter,
}: {
  checked: boolean;
  switching: boolean;
  toggleAll: (wanted: boolean) => void;
  filter: string;
  setFilter: (text: string) => void;
}) {
  return (
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
  );
}

function ListError({ snapshot, endpoint }: { snapshot: ContainersSnapshot; endpoint: string }) {
  return (
    <div role="alert" className="mt-4 rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900">
      <p className="font-medium">{snapshot.code === "unavailable:docker" ? "Docker engine unreachable" : "Could not list containers"}</p>
      <p className="mt-0.5">{snapshot.error}</p>
      {snapshot.code === "unavailable:docker" && <p className="mt-0.5 text-red-800/80">Endpoint tried: {endpoint}. This page retries every few seconds.</p>}
    </div>
  );
}

function EmptyList({ view }: { view: ContainersView }) {
  if (view.q) return `No container name contains "${view.q}".`;
  if (view.all) return "No containers on this host.";
  return (
    <>
      No HakuRiver containers yet. Use <strong>Create New Container</strong> to make one from an image, or tick <strong>Show all containers</strong> to see
      everything on this host.
    </>
  );
}

function Pager({ snapshot, navigate }: { snapshot: ContainersSnapshot; navigate: Navigate }) {
  return (
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
  );
}

/** A Create Tar whose container was deleted: it goes on, with its progress and Cancel in the list. */
function OrphanJobRow({ job }: { job: PackageJob }) {
  return (
    <tr data-testid="packaging-row" data-packaging-for={job.container} className="bg-slate-50/60">
      <td colSpan={CONTAINER_COLUMNS.length} className="px-4 py-2">
        <p className="mb-1 text-xs text-slate-600 [overflow-wrap:anywhere]">
          Create Tar of <span className="font-mono font-medium text-slate-800">{job.env}</span>
          {isActive(job) ? `: container ${job.container} is no longer on this host; the job goes on with what it committed.` : ""}
        </p>
        <PackageProgress job={job} />
      </td>
    </tr>
  );
}
