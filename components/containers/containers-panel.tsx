"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Fragment, useOptimistic, useTransition } from "react";
import type { PackagingJob } from "@/lib/tarballs/types";
import { LocalTime } from "@/components/ui/local-time";
import { StatusTag } from "@/components/ui/status-tag";
import { PackagingProgress } from "@/components/tarballs/packaging-progress";
import { usePackagingJobs } from "@/components/tarballs/use-packaging";
import { ContainerActions } from "./container-actions";
import { CreateContainerButton } from "./create-container-dialog";
import { useContainers, type ContainersSnapshot } from "./use-containers";

export function ContainersPanel({ initial, showAll, endpoint }: { initial: ContainersSnapshot; showAll: boolean; endpoint: string }) {
  const { data } = useContainers(showAll, initial);
  const snapshot = data ?? initial;
  const jobs = usePackagingJobs();
  const jobByEnv = new Map<string, PackagingJob>();
  for (const job of jobs) if (!jobByEnv.has(job.env)) jobByEnv.set(job.env, job); // newest first
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const [switching, startSwitch] = useTransition();
  // The box ticks at once; the list follows when the navigation lands.
  const [checked, setChecked] = useOptimistic(showAll);

  const toggleAll = (wanted: boolean) => {
    const params = new URLSearchParams(search.toString());
    params.set("tab", "containers");
    if (wanted) params.set("all", "1");
    else params.delete("all");
    startSwitch(() => {
      setChecked(wanted);
      router.replace(`${pathname}?${params.toString()}`, { scroll: false });
    });
  };

  return (
    <section aria-label="Host Containers">
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

      <div className="mt-4 overflow-x-auto rounded-xl border border-slate-200 bg-white">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <thead className="bg-slate-50 text-left text-xs font-medium uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="px-4 py-2.5">Name</th>
              <th scope="col" className="px-4 py-2.5">Image</th>
              <th scope="col" className="px-4 py-2.5">Status</th>
              <th scope="col" className="px-4 py-2.5">Created</th>
              <th scope="col" className="px-4 py-2.5 text-right">Actions</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {snapshot.containers.map((c) => {
              const job = jobByEnv.get(c.name);
              return (
              <Fragment key={c.id}>
              <tr data-testid="container-row" data-name={c.name} className="align-middle">
                <th scope="row" className="px-4 py-2.5 text-left font-medium">
                  <span className="font-mono whitespace-nowrap">{c.name}</span>
                  {showAll && c.managed && (
                    <span className="ml-2 rounded bg-teal-50 px-1.5 py-0.5 text-[11px] font-medium text-teal-800 ring-1 ring-inset ring-teal-600/20">
                      managed
                    </span>
                  )}
                </th>
                <td className="max-w-[16rem] truncate px-4 py-2.5 font-mono text-xs text-slate-700" title={c.image}>
                  {c.image}
                </td>
                <td className="px-4 py-2.5">
                  <StatusTag state={c.state} />
                  {c.statusText && c.statusText.toLowerCase() !== c.state && (
                    <span className="mt-0.5 block text-xs whitespace-nowrap text-slate-500">{c.statusText}</span>
                  )}
                </td>
                <td className="px-4 py-2.5 text-xs whitespace-nowrap text-slate-600">
                  <LocalTime iso={c.createdAt} />
                </td>
                <td className="px-4 py-2.5">
                  <ContainerActions container={c} job={job} />
                </td>
              </tr>
              {job && (
                <tr data-testid="packaging-row" data-packaging-for={c.name} className="bg-slate-50/60">
                  <td colSpan={5} className="px-4 py-2">
                    <PackagingProgress job={job} />
                  </td>
                </tr>
              )}
              </Fragment>
              );
            })}
          </tbody>
        </table>
        {snapshot.containers.length === 0 && !snapshot.error && (
          <div className="px-6 py-10 text-center text-sm text-slate-600">
            {showAll ? (
              "No containers on this host."
            ) : (
              <>
                No HakuRiver containers yet. Use <strong>Create New Container</strong> to make one from an image, or tick{" "}
                <strong>Show all containers</strong> to see everything on this host.
              </>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
