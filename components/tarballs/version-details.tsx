"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { getJson } from "@/components/query/api";
import { useRoleReason } from "@/components/auth/principal";
import { Button } from "@/components/ui/button";
import { formatBytes } from "@/components/ui/format";
import { LocalTime } from "@/components/ui/local-time";
import type { VersionDetails, VersionRegistry } from "@/lib/shared/tarballs";
import { tarballsKey } from "./use-package-jobs";
import { useVerification } from "./use-verifications";
import { VersionContainerButton } from "./version-container-dialog";
import { RegistryDetails } from "./version-registry";

const command = (value: string[] | null | undefined) => (value && value.length > 0 ? JSON.stringify(value) : "—");

/** A version's environment variables, values hidden until revealed; the first 500 of a longer list. */
function EnvironmentList({ file, env, total }: { file: string; env: VersionDetails["env"]; total?: number }) {
  const [reveal, setReveal] = useState(false);
  if (env.length === 0) return "—";
  return (
    <>
      <Button needs="operator" variant="ghost" onClick={() => setReveal((r) => !r)} aria-pressed={reveal} aria-label={`${reveal ? "Hide" : "Reveal"} environment values of ${file}`}>
        {reveal ? "Hide values" : "Reveal values"}
      </Button>
      <ul aria-label="Environment variables" className="mt-1 font-mono">
        {env.map((e, i) => (
          <li key={i} className="[overflow-wrap:anywhere]">
            {e.name}={reveal ? e.value : <span className="text-slate-400">••••••</span>}
          </li>
        ))}
      </ul>
      {total !== undefined && (
        <p className="mt-1 text-slate-600">
          The first {env.length} of {total} variables are shown.
        </p>
      )}
    </>
  );
}

/** Every image of a multi-image archive with the tags docker load gives it; the one described is marked. */
function ArchiveImages({ images, described }: { images: NonNullable<VersionDetails["images"]>; described?: number }) {
  return (
    <ol aria-label="Images in the archive" className="list-decimal pl-4">
      {images.map((image, i) => (
        <li key={i}>
          {image.tags.length ? image.tags.join(", ") : "no tag"} · {image.layers} {image.layers === 1 ? "layer" : "layers"}
          {i === described && <span className="ml-1 font-sans text-slate-600">(described here: the Runners&apos; tag ends up on it)</span>}
        </li>
      ))}
    </ol>
  );
}

/** Whether a Runner can use the file (its tag and the name's timestamp against Created). */
export function RunnerContractText({ contract }: { contract?: VersionDetails["contract"] }) {
  if (!contract) return <span className="font-sans text-slate-600">cannot tell: the archive could not be read here</span>;
  if (contract.ok) return <span className="font-sans text-green-800">usable: docker load gives it {contract.runnerTag}, and its name&apos;s timestamp is not later than the image&apos;s Created</span>;
  return (
    <ul data-testid="runner-contract" className="font-sans text-red-800">
      {contract.problems.map((p) => (
        <li key={p}>{p}</li>
      ))}
    </ul>
  );
}

/**
 * What one version holds, read from the tar on the server (headers and two small JSON files, never
 * a load), with its download, the command that loads it elsewhere, and New container from this version.
 */
export function VersionDetailsPanel({ file, env, registry }: { file: string; env: string; registry?: VersionRegistry }) {
  const { data, error } = useQuery({
    queryKey: [...tarballsKey, "details", file],
    queryFn: async () => (await getJson<{ details: VersionDetails }>(`/api/tarballs/${encodeURIComponent(file)}`)).details,
  });
  const live = useVerification(file, data?.verification);
  const roleReason = useRoleReason("operator");
  if (error) return <p role="alert" className="text-xs text-red-800">Could not read {file}: {error.message}</p>;
  if (!data) return <p className="text-xs text-slate-500">Reading {file}…</p>;
  const sha256 = live?.phase === "ok" || live?.phase === "damaged" ? live.sha256 : undefined;
  const href = `/api/tarballs/${encodeURIComponent(file)}/download`;
  // A viewer sees the button disabled with the reason (the server refuses the download regardless).
  const downloadReason = roleReason;
  const rows: [string, React.ReactNode][] = [
    ["Loads as", data.tags.length ? data.tags.join(", ") : "no tag (docker load gives only an image ID)"],
    ...(data.images ? ([["Images", <ArchiveImages key="images" images={data.images} described={data.described} />]] as [string, React.ReactNode][]) : []),
    ...(data.compression ? ([["Compression", "gzip (docker load decompresses it)"]] as [string, React.ReactNode][]) : []),
    ["Runners", <RunnerContractText key="contract" contract={data.contract} />],
    ["Created", data.created ? <LocalTime iso={data.created} /> : "—"],
    ["Size", `${formatBytes(data.size)} · ${data.layers} ${data.layers === 1 ? "layer" : "layers"} (${formatBytes(data.layerBytes)})`],
    ["Base image", data.base ?? "not recorded"],
    ["Entrypoint", command(data.entrypoint)],
    ["Cmd", command(data.cmd)],
    ["Working dir", data.workingDir ?? "/"],
    ["Note", data.note ?? "—"],
    ["Image ID", data.imageId ?? "—"],
  ];
  return (
    <div data-testid="version-details" aria-label={`Details of ${file}`} role="region" className="rounded-md border border-slate-200 bg-slate-50/60 p-3 text-xs">
      {data.problem && <p role="alert" className="mb-2 font-medium text-red-800">{data.problem}</p>}
      <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-1">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-slate-500">{k}</dt>
            <dd className="font-mono [overflow-wrap:anywhere]">{v}</dd>
          </div>
        ))}
        <dt className="text-slate-500">Environment</dt>
        <dd>
          <EnvironmentList file={file} env={data.env} total={data.envTotal} />
        </dd>
        <dt className="text-slate-500">sha256</dt>
        <dd className="font-mono [overflow-wrap:anywhere]">{sha256 ?? "known after Verify"}</dd>
      </dl>
      <div className="mt-3 flex flex-wrap items-center gap-2">
        {downloadReason ? (
          <Button needs="operator" aria-label={`Download ${file}`}>
            Download
          </Button>
        ) : (
          <a
            href={href}
            download={file}
            aria-label={`Download ${file}`}
            className="inline-flex items-center rounded-md border border-slate-300 bg-white px-2.5 py-1 text-xs font-medium text-slate-800 hover:bg-slate-50"
          >
            Download
          </a>
        )}
        <VersionContainerButton file={file} env={env} />
      </div>
      <p className="mt-2 text-slate-600 [overflow-wrap:anywhere]">
        On another machine: <code data-testid="load-command" className="rounded bg-white px-1 font-mono ring-1 ring-slate-200">docker load -i {file}</code>
        {sha256 && (
          <>
            {" "}· check it first: <code className="rounded bg-white px-1 font-mono ring-1 ring-slate-200">echo &quot;{sha256}  {file}&quot; | sha256sum -c</code>
          </>
        )}
      </p>
      <RegistryDetails registry={registry} />
    </div>
  );
}
