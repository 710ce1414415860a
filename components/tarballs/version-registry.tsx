"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useJobEnds, useJobsOf } from "@/components/jobs/use-jobs";
import { Button } from "@/components/ui/button";
import { useAction } from "@/components/ui/use-action";
import { isRunning, jobWords } from "@/lib/shared/jobs";
import type { VersionRegistry } from "@/lib/shared/tarballs";
import { pushTarballAction } from "./actions";
import { tarballsKey, useRefreshJobs } from "./use-package-jobs";

/** Re-reads the versions when a push ends (and announces it). Use once per page. */
export function usePushEnds(): void {
  const client = useQueryClient();
  useJobEnds(["push"], () => void client.invalidateQueries({ queryKey: tarballsKey }));
}

/** Push again / Push to registry: one job per version (lib/registry/push.ts); its progress shows on the row. */
function PushButton({ file, label }: { file: string; label: "Push again" | "Push to registry" }) {
  const { pending, run } = useAction();
  const refresh = useRefreshJobs();
  return (
    <Button needs="operator" onClick={() => run(() => pushTarballAction(file), { success: "none", after: refresh })} pending={pending} pendingLabel="Starting…" aria-label={`${label}: ${file}`}>
      {label}
    </Button>
  );
}

/**
 * Whether a version is in the registry (HAKURIVER_REGISTRY), under its file name: there; being
 * pushed (the job's own words, live); not there with the reason and **Push again**; never pushed
 * (made before the option) with **Push to registry**; or why the registry cannot be asked.
 */
export function RegistryStatus({ file, registry }: { file: string; registry?: VersionRegistry }) {
  const job = useJobsOf("push").find((j) => j.target === file && isRunning(j));
  if (!registry) return null;
  const line = (tone: string, text: string, button?: React.ReactNode) => (
    <div role="status" aria-label={`Registry state of ${file}`} data-registry-state={job ? "pushing" : registry.state} className="mt-0.5 flex flex-wrap items-center gap-2 text-xs">
      <span className={`[overflow-wrap:anywhere] ${tone}`}>{text}</span>
      {button}
    </div>
  );
  if (job || registry.state === "pushing") return line("text-slate-700", job ? jobWords(job) : "Pushing to the registry…");
  switch (registry.state) {
    case "in_registry":
      return line("text-green-800", "In the registry");
    case "not_in_registry":
      return line("text-amber-900", `Not in the registry: ${registry.reason ?? "unknown reason"}`, <PushButton file={file} label="Push again" />);
    case "not_pushed":
      return line("text-slate-600", "Not in the registry (made before it was set up)", <PushButton file={file} label="Push to registry" />);
    default:
      return line("text-amber-900", `Registry: cannot tell — ${registry.reason ?? "no answer"}`, <PushButton file={file} label="Push to registry" />);
  }
}

/** The Details rows of a version in the registry: its reference and the command that pulls it. */
export function RegistryDetails({ registry }: { registry?: VersionRegistry }) {
  if (!registry) return null;
  return (
    <p className="mt-1 text-slate-600 [overflow-wrap:anywhere]">
      From the registry{registry.state === "in_registry" ? "" : " (once it is there)"}:{" "}
      <code data-testid="pull-command" className="rounded bg-white px-1 font-mono ring-1 ring-slate-200">
        {registry.pull}
      </code>
      {registry.digest && <span className="ml-1 font-mono text-slate-500">({registry.digest.slice(0, 19)}…)</span>}
    </p>
  );
}
