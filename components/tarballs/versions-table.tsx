"use client";

import { useQuery } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { ApiError, getJson } from "@/components/query/api";
import { Button } from "@/components/ui/button";
import { useAction } from "@/components/ui/use-action";
import { formatBytes } from "@/components/ui/format";
import { LocalTime } from "@/components/ui/local-time";
import { ConfirmDialog } from "@/components/ui/modal";
import { stacked } from "@/components/ui/data-table";
import { timestampIso } from "@/lib/shared/tarball-names";
import type { TarballEnvironment, TarballVersion } from "@/lib/shared/tarballs";
import { deleteTarballAction } from "./actions";
import { tarballsKey } from "./use-package-jobs";
import { VersionDetailsPanel } from "./version-details";
import { VerifyButton, VerifyStatus } from "./version-verify";
import { RegistryStatus } from "./version-registry";

/** A version's date from its file name; a name no date can hold is shown as such, not a crash. */
export function VersionTime({ timestamp }: { timestamp: number }) {
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

/** A version no Runner can use as it is: a short marker, the reason on hover and focus (and to screen readers). */
function RunnerMarker({ file, reason }: { file: string; reason: string }) {
  return (
    <span
      tabIndex={0}
      data-testid="runner-marker"
      title={reason}
      aria-label={`Runners cannot use ${file}: ${reason}`}
      className="ml-2 rounded bg-amber-50 px-1.5 py-0.5 text-[11px] text-amber-900 ring-1 ring-inset ring-amber-600/30"
    >
      Runners cannot use
    </span>
  );
}

/** The versions of one environment, fetched when its row is expanded. */
export function VersionsTable({ name, onChanged }: { name: string; onChanged: () => Promise<unknown> }) {
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
  // Its own frame: the versions stack by the width they have (inside a stacked environment or not).
  return (
    <div className="@container">
      <table aria-label={`Versions of ${env.name}`} className={`w-full text-xs ${stacked["3xl"]} @max-3xl:[&>tbody>tr]:py-2.5`}>
        <thead className="text-left text-slate-500">
          <tr>
            <th scope="col" className="py-1.5 pr-4 font-medium">Date</th>
            <th scope="col" className="py-1.5 pr-4 font-medium">File name</th>
            <th scope="col" className="w-px py-1.5 pr-4 font-medium whitespace-nowrap">Size</th>
            <th scope="col" className="py-1.5 pr-4 font-medium">Note</th>
            <th scope="col" className="w-px py-1.5 text-right font-medium">Actions</th>
          </tr>
        </thead>
        <tbody>
          {env.versions.map((v, i) => (
            <VersionRow key={v.file} version={v} env={env.name} latest={i === 0} onChanged={onChanged} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function VersionRow({ version, env, latest, onChanged }: { version: TarballVersion; env: string; latest: boolean; onChanged: () => Promise<unknown> }) {
  const [confirming, setConfirming] = useState(false);
  const [open, setOpen] = useState(false);
  const { pending, run } = useAction();
  const remove = () => run(() => deleteTarballAction(version.file), { after: onChanged });
  const detailsId = `details-${version.file}`;
  return (
    <Fragment>
      <tr data-file={version.file} className="border-t border-slate-100 align-top @max-3xl:grid-cols-[auto_minmax(0,1fr)]">
        <td className="py-1.5 pr-4 @max-3xl:col-span-2 @3xl:whitespace-nowrap">
          <VersionTime timestamp={version.timestamp} />
          {version.runnerProblem && <RunnerMarker file={version.file} reason={version.runnerProblem} />}
          {latest && <span className="ml-2 rounded bg-green-50 px-1.5 py-0.5 text-[11px] whitespace-nowrap text-green-800 ring-1 ring-green-600/20 ring-inset">latest</span>}
        </td>
        <td className="py-1.5 pr-4 font-mono @max-3xl:col-span-2">
          <span className="[overflow-wrap:anywhere]">{version.file}</span>
          <VerifyStatus file={version.file} kept={version.verification} />
          <RegistryStatus file={version.file} registry={version.registry} />
        </td>
        <td className="py-1.5 pr-4 whitespace-nowrap">{formatBytes(version.size)}</td>
        {/* At most 20rem wide in the table: a long note wraps rather than squeeze the file name. */}
        <td data-testid="version-note" className="py-1.5 pr-4 [overflow-wrap:anywhere]">
          {version.note && <span className="block max-w-xs">{version.note}</span>}
        </td>
        <td className="py-1.5 @max-3xl:col-span-2">
          <div className="flex flex-wrap justify-end gap-1.5 @max-3xl:justify-start @3xl:flex-nowrap">
            <Button onClick={() => setOpen((o) => !o)} aria-expanded={open} aria-controls={detailsId} aria-label={`Details of ${version.file}`}>
              Details
              <span aria-hidden className={`inline-block text-[10px] transition-transform ${open ? "rotate-180" : ""}`}>▼</span>
            </Button>
            <VerifyButton file={version.file} kept={version.verification} />
            <Button needs="admin" variant="danger" onClick={() => setConfirming(true)} pending={pending} pendingLabel="Deleting…" aria-label={`Delete ${version.file}`}>
              Delete
            </Button>
          </div>
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
      {open && (
        <tr id={detailsId}>
          <td colSpan={5} className="pb-3">
            <VersionDetailsPanel file={version.file} env={env} registry={version.registry} />
          </td>
        </tr>
      )}
    </Fragment>
  );
}
