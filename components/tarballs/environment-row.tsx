"use client";

import { Fragment } from "react";
import { formatBytes } from "@/components/ui/format";
import type { EnvironmentSummary } from "@/lib/shared/tarballs";
import { HostContainerMark } from "@/components/containers/host-container-mark";
import { VersionsTable, VersionTime } from "./versions-table";

/** The Shared Tarballs table's columns: what the rows below fill. */
export const ENVIRONMENT_COLUMNS = [
  { label: <span className="sr-only">Expand</span>, className: "w-12 px-2 py-2.5" },
  { label: "Environment" },
  { label: "Latest version" },
  { label: "Size", className: "w-px px-4 py-2.5 whitespace-nowrap" },
  { label: "Versions", className: "w-px px-4 py-2.5 whitespace-nowrap" },
];

/**
 * One environment, and its versions when expanded. From 48rem a table row; narrower, a stacked
 * row: the toggle beside the name, the latest version under it, then its size and the count.
 */
export function EnvironmentRow({
  env,
  open,
  onToggle,
  hasHostContainer,
  onChanged,
}: {
  env: EnvironmentSummary;
  open: boolean;
  onToggle: () => void;
  hasHostContainer: boolean;
  onChanged: () => Promise<unknown>;
}) {
  const count = `${env.versionCount} ${env.versionCount === 1 ? "version" : "versions"}`;
  return (
    <Fragment>
      <tr data-env={env.name} id={`env-${env.name}`} className="scroll-mt-4 align-top target:bg-teal-50/60 @max-3xl:grid-cols-[auto_auto_minmax(0,1fr)]">
        <td className="px-2 py-1.5 text-center @max-3xl:row-span-3">
          <button
            type="button"
            aria-expanded={open}
            aria-controls={`versions-${env.name}`}
            aria-label={`${open ? "Collapse" : "Expand"} ${env.name}`}
            title={`${open ? "Hide" : "Show"} the ${count} of ${env.name}`}
            onClick={onToggle}
            className="inline-flex h-8 w-8 items-center justify-center rounded-md text-slate-600 hover:bg-slate-100"
          >
            <span aria-hidden className={`inline-block text-xs transition-transform ${open ? "rotate-90" : ""}`}>▶</span>
          </button>
        </td>
        <th scope="row" className="px-4 py-2.5 text-left font-mono font-medium @max-3xl:col-span-2 @max-3xl:self-center">
          <span className="[overflow-wrap:anywhere]">{env.name}</span>
          {hasHostContainer && <HostContainerMark env={env.name} />}
        </th>
        <td className="px-4 py-2.5 text-xs @max-3xl:col-span-2 @max-3xl:col-start-2">
          <VersionTime timestamp={env.latest.timestamp} />
          <span className="mt-0.5 block font-mono text-slate-600 [overflow-wrap:anywhere]">{env.latest.file}</span>
        </td>
        <td className="px-4 py-2.5 text-xs whitespace-nowrap @max-3xl:col-start-2">{formatBytes(env.latest.size)}</td>
        <td className="px-4 py-2.5 text-xs whitespace-nowrap @max-3xl:text-slate-600">
          {env.versionCount}
          <span className="@3xl:sr-only"> {env.versionCount === 1 ? "version" : "versions"}</span>
        </td>
      </tr>
      {open && (
        <tr id={`versions-${env.name}`}>
          <td className="@max-3xl:hidden" />
          <td colSpan={4} className="px-4 pb-3">
            <VersionsTable name={env.name} onChanged={onChanged} />
          </td>
        </tr>
      )}
    </Fragment>
  );
}
