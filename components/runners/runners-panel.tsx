"use client";

import { useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { getJson } from "@/components/query/api";
import { Button } from "@/components/ui/button";
import { RefreshButton } from "@/components/ui/refresh-button";
import { useAction } from "@/components/ui/use-action";
import type { ActionResult } from "@/lib/shared/results";
import { formatBytes } from "@/components/ui/format";
import { ProgressBar } from "@/components/ui/progress-bar";
import { StatusTag } from "@/components/ui/status-tag";
import { isSyncActive, runnerEnvLabel, syncView, type RunnerStatus, type SyncJob } from "@/lib/shared/runners";
import { useJobEnds, useJobsOf } from "@/components/jobs/use-jobs";
import { cancelRunnerSyncAction, syncAllRunnersAction, syncRunnerAction } from "./actions";

export interface RunnerRef {
  name: string;
  url: string;
}

const overviewKey = ["runners", "overview"] as const;
const statusKey = (name: string) => ["runners", "status", name] as const;

/**
 * The Runners tab: one card per Runner engine, filled in as each answers (one request per Runner,
 * so a slow one delays nobody), with every environment judged by the Runners' own rule, and
 * Sync now with progress and Cancel.
 */
export function RunnersPanel({ initialRunners, imageTemplate, syncLimit }: { initialRunners: RunnerRef[]; imageTemplate: string; syncLimit: number }) {
  const client = useQueryClient();
  const { data: runners } = useQuery({
    queryKey: overviewKey,
    queryFn: async () => (await getJson<{ runners: RunnerRef[] }>("/api/runners")).runners,
    initialData: initialRunners,
    initialDataUpdatedAt: 0,
    refetchInterval: 30_000,
  });
  // Sync jobs come with every other job (pushed over /live): the newest per Runner.
  const syncJobs = useJobsOf("sync");
  const jobs = useMemo(() => syncJobs.map(syncView).filter((j, i, all) => all.findIndex((o) => o.runner === j.runner) === i), [syncJobs]);
  const statuses = useQueries({
    queries: runners.map((r) => ({
      queryKey: statusKey(r.name),
      queryFn: () => getJson<RunnerStatus>(`/api/runners/${encodeURIComponent(r.name)}`),
      refetchInterval: 15_000,
    })),
  });
  // Announced in the job's own words (as the Jobs notices say it); that Runner's status is read again.
  useJobEnds(["sync"], (job) => void client.invalidateQueries({ queryKey: statusKey(job.target) }));
  // Every Runner answered, and none can be reached: Sync all has nothing it could start.
  const noneReachable = statuses.length > 0 && statuses.every((s) => s.data?.reachable === false);
  if (runners.length === 0) return <NoRunners />;
  return (
    <section aria-label="Runners">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-slate-600">
          What each Runner&apos;s <code className="font-mono text-xs">{imageTemplate}</code> holds, judged by the Runners&apos; own rule against the newest
          tarball. Sync now loads at most {syncLimit} {syncLimit === 1 ? "Runner" : "Runners"} at once.
        </p>
        <RunnersToolbar noneReachable={noneReachable} />
      </div>
      <div className="mt-4 space-y-4">
        {runners.map((r, i) => (
          <RunnerCard
            key={r.name}
            runner={r}
            status={statuses[i]?.data}
            failed={statuses[i]?.error?.message}
            job={jobs.find((j) => j.runner === r.name)}
            openByDefault={runners.length <= 3}
            onChanged={() => client.invalidateQueries({ queryKey: ["runners"] })}
          />
        ))}
      </div>
    </section>
  );
}

/** Refresh every Runner's status, and Sync all (unavailable when no Runner can be reached). */
function RunnersToolbar({ noneReachable }: { noneReachable: boolean }) {
  const client = useQueryClient();
  const syncAll = useAction();
  return (
    <div className="flex gap-2">
      <RefreshButton queryKey={["runners"]} />
      <Button
        needs="operator"
        size="md"
        variant="primary"
        pending={syncAll.pending}
        pendingLabel="Starting…"
        unavailable={noneReachable}
        reason={noneReachable ? "No Runner can be reached now; each Runner's card says why." : undefined}
        onClick={() => syncAll.run(syncAllRunnersAction, { success: "info", after: () => client.invalidateQueries({ queryKey: overviewKey }) })}
      >
        Sync all Runners
      </Button>
    </div>
  );
}

/** No Runner configured: where the setting is read, and where SSH keys go. */
function NoRunners() {
  return (
    <section aria-label="Runners" className="rounded-xl border border-slate-200 bg-white px-6 py-10 text-center text-sm text-slate-600">
      <p className="font-medium text-slate-800">No Runners configured.</p>
      <p className="mt-1">
        List Runner engines in the server setting <code className="font-mono text-xs">HAKURIVER_RUNNERS</code> (e.g.{" "}
        <code className="font-mono text-xs">node1=ssh://root@10.0.0.5</code>), read when the dashboard starts: set it where the service is
        started and restart it. This tab then shows which version of each environment they hold.
      </p>
      <p className="mt-1">
        For SSH Runners, the key goes in <code className="font-mono text-xs">&lt;data dir&gt;/runners/&lt;name&gt;/id_ed25519</code> (or an ssh-agent) and the
        Runner&apos;s host key in <code className="font-mono text-xs">&lt;data dir&gt;/runners/known_hosts</code>.
      </p>
    </section>
  );
}

function RunnerCard({
  runner,
  status,
  failed,
  job,
  openByDefault,
  onChanged,
}: {
  runner: RunnerRef;
  status?: RunnerStatus;
  failed?: string;
  job?: SyncJob;
  openByDefault: boolean;
  onChanged: () => Promise<unknown>;
}) {
  const [open, setOpen] = useState(openByDefault);
  const syncing = job && isSyncActive(job);
  const behind = status?.environments.filter((e) => e.state === "behind").length ?? 0;
  const counts = status?.reachable
    ? (["up_to_date", "behind", "missing"] as const).map((s) => `${status.environments.filter((e) => e.state === s).length} ${runnerEnvLabel({ state: s, newest: { file: "", timestamp: 0 } }).label.split(":")[0].toLowerCase()}`).join(" · ")
    : "";
  const action = useAction();
  const pending = action.pending;
  const run = (work: () => Promise<ActionResult>) => action.run(work, { success: "info", after: onChanged });
  const reach = !status
    ? { label: failed ? "Unknown" : "Checking…", tone: "gray" as const }
    : status.reachable
      ? { label: "Reachable", tone: "green" as const }
      : { label: "Unreachable", tone: "red" as const };
  return (
    <article aria-label={`Runner ${runner.name}`} data-runner={runner.name} className="rounded-xl border border-slate-200 bg-white">
      <header className="flex flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
        <button
          type="button"
          aria-expanded={open}
          aria-label={`${open ? "Collapse" : "Expand"} ${runner.name}`}
          onClick={() => setOpen(!open)}
          className="rounded p-1 text-slate-500 hover:bg-slate-100"
        >
          <span aria-hidden className={`inline-block transition-transform ${open ? "rotate-90" : ""}`}>▶</span>
        </button>
        <h2 className="font-mono text-sm font-semibold">{runner.name}</h2>
        <code className="font-mono text-xs text-slate-500">{runner.url}</code>
        <span data-testid="runner-reachable">
          <StatusTag view={reach} />
        </span>
        {status?.reachable && (
          <span className="text-xs text-slate-600">
            Docker {status.version} · images {formatBytes(status.disk?.imagesSize ?? 0)}
            {status.disk?.free !== undefined ? ` · ${formatBytes(status.disk.free)} free` : " · free space not reported by the engine"} · {counts}
          </span>
        )}
        {status && !status.reachable && <span role="alert" className="text-xs text-red-800">{status.reason}</span>}
        {failed && !status && <span role="alert" className="text-xs text-red-800">{failed}</span>}
        <span className="ml-auto flex gap-2">
          {syncing ? (
            <Button needs="operator" variant="danger" pending={pending} pendingLabel="Cancelling…" onClick={() => run(() => cancelRunnerSyncAction(runner.name))}>
              Cancel
            </Button>
          ) : (
            <Button
              needs="operator"
              variant="primary"
              pending={pending}
              pendingLabel="Starting…"
              unavailable={!status?.reachable || behind === 0}
              title={!status?.reachable ? "The Runner cannot be reached." : behind === 0 ? "Nothing to load: no environment is behind." : undefined}
              onClick={() => run(() => syncRunnerAction(runner.name))}
            >
              Sync now
            </Button>
          )}
        </span>
      </header>
      {job && <SyncProgress job={job} />}
      {open && status && <RunnerEnvironments runner={runner.name} status={status} syncing={!!syncing} pending={pending} load={(env) => run(() => syncRunnerAction(runner.name, env))} />}
      {open && status?.environments.length === 0 && <p className="border-t border-slate-100 px-4 py-3 text-xs text-slate-500">No tarballs in shared storage yet.</p>}
    </article>
  );
}

/** The environments a Runner holds, each judged by the Runners' rule, with Load for one behind or missing. */
function RunnerEnvironments({ runner, status, syncing, pending, load }: { runner: string; status: RunnerStatus; syncing: boolean; pending: boolean; load: (env: string) => void }) {
  return (
    // Narrow screens: long names wrap, and what still does not fit scrolls inside the card, not the page.
    <div className="overflow-x-auto">
      <table aria-label={`Environments on ${runner}`} className="w-full border-t border-slate-100 text-xs">
        <thead className="bg-slate-50 text-left text-slate-500">
          <tr>
            <th scope="col" className="px-4 py-1.5 font-medium">Environment</th>
            <th scope="col" className="px-4 py-1.5 font-medium">Status</th>
            <th scope="col" className="px-4 py-1.5 font-medium">Holds</th>
            <th scope="col" className="px-4 py-1.5 text-right font-medium">Actions</th>
          </tr>
        </thead>
        <tbody>
          {status.environments.map((e) => (
            <tr key={e.env} data-env={e.env} className="border-t border-slate-100">
              <th scope="row" className="px-4 py-1.5 text-left font-mono font-medium [overflow-wrap:anywhere]">{e.env}</th>
              <td className="px-4 py-1.5" title={e.reason}>
                <StatusTag view={runnerEnvLabel(e)} />
              </td>
              <td className="px-4 py-1.5 font-mono text-slate-600 [overflow-wrap:anywhere]">{e.matches ?? (e.state === "behind" ? "an older version" : "—")}</td>
              <td className="px-4 py-1.5 text-right">
                {(e.state === "behind" || e.state === "missing") && !syncing && (
                  <Button needs="operator" pending={pending} onClick={() => load(e.env)} aria-label={`Load ${e.newest.file} on ${runner}`}>
                    Load
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SyncProgress({ job }: { job: SyncJob }) {
  const current = job.items.find((i) => i.state === "loading") ?? job.items.find((i) => i.state === "pending");
  const percent = job.bytesTotal ? Math.round((job.bytesSent / job.bytesTotal) * 100) : 100;
  const words: Record<SyncJob["phase"], string> = {
    queued: "Waiting for a free load slot",
    // Through the registry (docs/registry.md) the bytes are those fetched: only the layers the Runner lacks.
    loading: current?.via?.startsWith("pulled") ? `Pulling ${current.file} from the registry (only the layers it lacks)` : `Loading ${current?.file ?? ""}`,
    // Once it ended, the job's own words (as the Jobs notices and the toast say them).
    done: job.message ?? "Synced",
    failed: job.error ?? "Failed",
    cancelled: job.message ?? "Cancelled; the Runner keeps the image it had",
  };
  return (
    <div role="status" aria-label={`Sync now of ${job.runner}`} className="border-t border-slate-100 px-4 py-2 text-xs text-slate-700">
      <span>{words[job.phase]}</span>
      <span className="ml-2 text-slate-500">
        {formatBytes(job.bytesSent)} / {formatBytes(job.bytesTotal)}
      </span>
      {isSyncActive(job) && <ProgressBar className="mt-1" label={`Sync now of ${job.runner}`} percent={percent} />}
    </div>
  );
}
