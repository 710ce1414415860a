"use client";

import { useEffect, useState } from "react";
import { CancelButton } from "@/components/ui/cancel-button";
import { formatBytes } from "@/components/ui/format";
import { ProgressBar } from "@/components/ui/progress-bar";
import { isActive, type PackageJob } from "@/lib/shared/tarballs";
import { cancelTarballAction } from "./actions";
import { useRefreshJobs } from "./use-package-jobs";

/** While it runs (the same steps as the notices'); once it ended, its message says it. */
const phaseText: Record<PackageJob["phase"], string> = {
  committing: "Committing",
  saving: "Saving",
  finishing: "Finishing",
  done: "Packaged",
  failed: "Create Tar failed",
  cancelled: "Create Tar cancelled",
  interrupted: "Create Tar interrupted",
};

function elapsed(job: PackageJob, now: number): string {
  const end = job.finishedAt ? Date.parse(job.finishedAt) : now;
  const s = Math.max(0, Math.round((end - Date.parse(job.startedAt)) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** The row's Create Tar status: live phase, bytes against the image size, elapsed time, Cancel. */
export function PackageProgress({ job }: { job: PackageJob }) {
  const active = isActive(job);
  const [now, setNow] = useState(() => Date.now());
  const refreshJobs = useRefreshJobs();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);

  const pct = job.imageSize ? Math.min(99, Math.floor((job.bytesWritten / job.imageSize) * 100)) : undefined;
  const tone = job.phase === "done" ? "text-green-800" : active ? "text-slate-700" : "text-red-800";
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-xs">
      {/* The live region holds the phase and the outcome only: bytes and the clock tick, and are not announced. */}
      <span role="status" aria-label={`Create Tar of ${job.env}`} className="inline-flex flex-wrap items-center gap-x-4 gap-y-1">
        {/* Once it ended, the job's own words: the same as the Jobs notices. */}
        <span data-testid="package-words" className={`font-medium [overflow-wrap:anywhere] ${tone}`}>
          {active ? phaseText[job.phase] : (job.message ?? phaseText[job.phase])}
        </span>
      </span>
      {job.phase === "saving" && (
        <span className="font-mono text-slate-600">
          {formatBytes(job.bytesWritten)}
          {job.imageSize ? ` / ${formatBytes(job.imageSize)}` : ""}
        </span>
      )}
      {job.phase === "saving" && pct !== undefined && <ProgressBar label={`Saving ${job.env}`} percent={pct} className="w-40" />}
      <span className="text-slate-600" title="Time since the Create Tar started">{elapsed(job, now)}</span>
      {active && <CancelButton cancel={() => cancelTarballAction(job.env)} after={refreshJobs} />}
    </div>
  );
}
