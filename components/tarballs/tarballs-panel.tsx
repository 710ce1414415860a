"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { RefreshButton } from "@/components/ui/refresh-button";
import { DataTable } from "@/components/ui/data-table";
import type { DirectorySpace, EnvironmentSummary } from "@/lib/shared/tarballs";
import { getJson } from "@/components/query/api";
import { useLiveConnected } from "@/components/query/live";
import { DirectorySpaceBar } from "./directory-space";
import { tarballsKey } from "./use-package-jobs";
import { ENVIRONMENT_COLUMNS, EnvironmentRow } from "./environment-row";
import { usePushEnds } from "./version-registry";

export interface TarballsSnapshot {
  environments: EnvironmentSummary[];
  /** The shared directory's file system: used and free space. */
  space?: DirectorySpace;
  error?: string;
}

async function fetchTarballs(): Promise<TarballsSnapshot> {
  try {
    return await getJson<TarballsSnapshot>("/api/tarballs?summary=1");
  } catch (err) {
    return { environments: [], error: (err as Error).message };
  }
}

export function TarballsPanel({
  initial,
  directory,
  keep,
  imageTemplate,
  hostEnvironments = [],
}: {
  initial: TarballsSnapshot;
  directory: string;
  /** HAKURIVER_TAR_KEEP. */
  keep: number;
  /** What Runners load, e.g. `hakuriver/<name>:base`. */
  imageTemplate: string;
  /** Environments that have a Host container (marked on their rows). */
  hostEnvironments?: string[];
}) {
  const client = useQueryClient();
  usePushEnds();
  const [seededAt] = useState(() => Date.now());
  const live = useLiveConnected();
  const { data = initial } = useQuery({
    queryKey: [...tarballsKey, "summary"],
    queryFn: fetchTarballs,
    initialData: initial,
    initialDataUpdatedAt: seededAt,
    // Pushed over /live (a hint when the dir changes, a rescan every 30 s for NFS); polled only while that is down.
    refetchInterval: live ? false : 10_000,
  });
  const [expanded, toggle] = useToggleSet();

  return (
    <section aria-label="Shared Tarballs">
      <TarballsHeader directory={directory} keep={keep} />
      <DirectorySpaceBar space={data.space} />
      {data.error && (
        <div role="alert" className="mt-4 rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900">
          Could not read the shared container directory: {data.error}
        </div>
      )}
      <DataTable
        stackBelow="3xl"
        columns={ENVIRONMENT_COLUMNS}
        empty={
          data.environments.length === 0 &&
          !data.error && (
            <>
              <p className="font-medium text-slate-800">No tarballs yet.</p>
              <p className="mt-1">
                Use <strong>Create Tar</strong> on a Host container to package it; Runners then load it as{" "}
                <code className="font-mono text-xs">{imageTemplate}</code>.
              </p>
            </>
          )
        }
      >
        {data.environments.map((env) => (
          <EnvironmentRow
            key={env.name}
            env={env}
            open={expanded.has(env.name)}
            onToggle={() => toggle(env.name)}
            hasHostContainer={hostEnvironments.includes(env.name)}
            onChanged={() => client.invalidateQueries({ queryKey: tarballsKey })}
          />
        ))}
      </DataTable>
    </section>
  );
}

/** Which environments are open: a set, and a toggle of one name. */
function useToggleSet(): [Set<string>, (name: string) => void] {
  const [open, setOpen] = useState<Set<string>>(new Set());
  const toggle = (name: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });
  return [open, toggle];
}

/** Where the tarballs are, how many versions Create Tar keeps, and Refresh. */
function TarballsHeader({ directory, keep }: { directory: string; keep: number }) {
  return (
    <div className="flex flex-wrap items-center justify-between gap-3">
      <p className="text-sm text-slate-600">
        Environments in <code className="rounded bg-slate-100 px-1 font-mono text-xs">{directory}</code>
        <span data-testid="keep-setting" className="ml-2 text-slate-500">
          · Create Tar keeps the newest {keep} {keep === 1 ? "version" : "versions"} of each environment (HAKURIVER_TAR_KEEP)
        </span>
      </p>
      <RefreshButton queryKey={tarballsKey} />
    </div>
  );
}
