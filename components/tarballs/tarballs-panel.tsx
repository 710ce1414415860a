"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useState, useTransition } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { formatBytes } from "@/components/ui/format";
import { LocalTime } from "@/components/ui/local-time";
import { DataTable } from "@/components/ui/data-table";
import { ConfirmDialog } from "@/components/ui/modal";
import { timestampIso } from "@/lib/shared/tarball-names";
import type { EnvironmentSummary, TarballEnvironment, TarballVersion } from "@/lib/shared/tarballs";
import { ApiError, getJson } from "@/components/query/api";
import { HostContainerMark } from "@/components/containers/host-container-mark";
import { deleteTarballAction } from "./actions";
import { tarballsKey } from "./use-packaging";

export interface TarballsSnapshot {
  environments: EnvironmentSummary[];
  error?: string;
}

async function fetchTarballs(): Promise<TarballsSnapshot> {
  try {
    return await getJson<TarballsSnapshot>("/api/tarballs?summary=1");
  } catch (err) {
    return { environments: [], error: (err as Error).message };
  }
}

/** A version's date from its file name; a name no date can hold is shown as such, not a crash. */
function VersionTime({ timestamp }: { timestamp: number }) {
  const iso = timestampIso(timestamp);
  if (!iso) {
    return (
      <span className="font-medium text-red-800" title="The timestamp in this file name is out of range. Runners still treat it as the newest version; delete it unless you know why it is here.">
        Invalid date
      </span>
    );
  }
  return <LocalTime iso={iso} />;
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
  const [seededAt] = useState(() => Date.now());
  const [refreshing, setRefreshing] = useState(false);
  const refresh = async () => {
    setRefreshing(true);
    await client.invalidateQueries({ queryKey: tarballsKey });
    setRefreshing(false);
  };
  const { data = initial } = useQuery({
    queryKey: [...tarballsKey, "summary"],
    queryFn: fetchTarballs,
    initialData: initial,
    initialDataUpdatedAt: seededAt,
    refetchInterval: 10_000,
  });
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const toggle = (name: string) =>
    setExpanded((s) => {
      const next = new Set(s);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });

  return (
    <section aria-label="Shared Tarballs">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-slate-600">
          Environments in <code className="rounded bg-slate-100 px-1 font-mono text-xs">{directory}</code>
          <span data-testid="keep-setting" className="ml-2 text-slate-500">
            · Create Tar keeps the newest {keep} {keep === 1 ? "version" : "versions"} of each environment (HAKURIVER_TAR_KEEP)
          </span>
        </p>
        <Button size="md" onClick={() => void refresh()} pending={refreshing} pendingLabel="Refreshing…">
          Refresh
        </Button>
      </div>
      {data.error && (
        <div role="alert" className="mt-4 rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900">
          Could not read the shared container directory: {data.error}
        </div>
      )}
      <DataTable
        columns={[
          { label: <span className="sr-only">Expand</span>, className: "w-10 px-2 py-2.5" },
          { label: "Environment" },
          { label: "Latest version" },
          { label: "Size" },
          { label: "Versions" },
        ]}
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
            {data.environments.map((env) => {
              const open = expanded.has(env.name);
              return (
                <Fragment key={env.name}>
                  <tr data-env={env.name} id={`env-${env.name}`} className="scroll-mt-4 target:bg-teal-50/60">
                    <td className="px-2 py-2.5 text-center">
                      <button
                        type="button"
                        aria-expanded={open}
                        aria-controls={`versions-${env.name}`}
                        aria-label={`${open ? "Collapse" : "Expand"} ${env.name}`}
                        onClick={() => toggle(env.name)}
                        className="rounded p-1 text-slate-500 hover:bg-slate-100"
                      >
                        <span aria-hidden className={`inline-block transition-transform ${open ? "rotate-90" : ""}`}>▶</span>
                      </button>
                    </td>
                    <th scope="row" className="px-4 py-2.5 text-left font-mono font-medium">
                      {env.name}
                      {hostEnvironments.includes(env.name) && <HostContainerMark env={env.name} />}
                    </th>
                    <td className="px-4 py-2.5 text-xs">
                      <VersionTime timestamp={env.latest.timestamp} />
                      <span className="ml-2 font-mono text-slate-500">{env.latest.file}</span>
                    </td>
                    <td className="px-4 py-2.5 text-xs">{formatBytes(env.latest.size)}</td>
                    <td className="px-4 py-2.5 text-xs">{env.versionCount}</td>
                  </tr>
                  {open && (
                    <tr id={`versions-${env.name}`}>
                      <td />
                      <td colSpan={4} className="px-4 pb-3">
                        <VersionsTable name={env.name} onChanged={() => client.invalidateQueries({ queryKey: tarballsKey })} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
      </DataTable>
    </section>
  );
}

/** The versions of one environment, fetched when its row is expanded. */
function VersionsTable({ name, onChanged }: { name: string; onChanged: () => Promise<unknown> }) {
  const { data, error } = useQuery({
    queryKey: [...tarballsKey, "env", name],
    queryFn: async (): Promise<TarballEnvironment | null> => {
      try {
        return (await getJson<{ environment: TarballEnvironment }>(`/api/tarballs?env=${encodeURIComponent(name)}`)).environment;
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
  });
  if (error) return <p role="alert" className="text-xs text-red-800">Could not list the versions: {error.message}</p>;
  if (data === undefined) return <p className="text-xs text-slate-500">Loading versions…</p>;
  if (data === null) return <p className="text-xs text-slate-500">No versions left.</p>;
  const env = data;
  return (
    <table aria-label={`Versions of ${env.name}`} className="w-full text-xs">
      <thead className="text-left text-slate-500">
        <tr>
          <th scope="col" className="py-1.5 font-medium">Date</th>
          <th scope="col" className="py-1.5 font-medium">File name</th>
          <th scope="col" className="py-1.5 font-medium">Size</th>
          <th scope="col" className="py-1.5 text-right font-medium">Actions</th>
        </tr>
      </thead>
      <tbody>
        {env.versions.map((v, i) => (
          <VersionRow key={v.file} version={v} latest={i === 0} onChanged={onChanged} />
        ))}
      </tbody>
    </table>
  );
}

function VersionRow({ version, latest, onChanged }: { version: TarballVersion; latest: boolean; onChanged: () => Promise<unknown> }) {
  const [confirming, setConfirming] = useState(false);
  const [pending, startDelete] = useTransition();
  const remove = () =>
    startDelete(async () => {
      const result = await deleteTarballAction(version.file);
      if (result.ok) toast.success(result.message);
      else toast.error(result.error);
      await onChanged();
    });
  return (
    <tr data-file={version.file} className="border-t border-slate-100">
      <td className="py-1.5">
        <VersionTime timestamp={version.timestamp} />
        {latest && <span className="ml-2 rounded bg-green-50 px-1.5 py-0.5 text-[11px] text-green-800 ring-1 ring-inset ring-green-600/20">latest</span>}
      </td>
      <td className="py-1.5 font-mono">{version.file}</td>
      <td className="py-1.5">{formatBytes(version.size)}</td>
      <td className="py-1.5 text-right">
        <Button variant="danger" onClick={() => setConfirming(true)} pending={pending} pendingLabel="Deleting…" aria-label={`Delete ${version.file}`}>
          Delete
        </Button>
        <ConfirmDialog
          open={confirming}
          title={`Delete ${version.file}?`}
          confirmLabel="Delete"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            remove();
          }}
        >
          <p>The file is removed from shared storage. Runners that already loaded it keep their image.</p>
          {latest && <p className="mt-2">This is the latest version: the next newest becomes the one Runners load.</p>}
        </ConfirmDialog>
      </td>
    </tr>
  );
}
