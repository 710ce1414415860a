"use client";

import { useTransition } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { CancelButton } from "@/components/ui/cancel-button";
import { callAction } from "@/components/ui/call-action";
import { ProgressBar } from "@/components/ui/progress-bar";
import { JOB_LABELS, isRunning, jobWords, type Job } from "@/lib/shared/jobs";
import { endJobAction } from "./actions";
import { useJobs } from "./use-jobs";

const TONE: Record<string, string> = {
  running: "border-l-teal-600",
  succeeded: "border-l-green-600",
  cancelled: "border-l-slate-400",
  failed: "border-l-red-600",
  interrupted: "border-l-amber-500",
};

/**
 * The notices: every job running or finished, on every page, each with Cancel (while it can be
 * cancelled) or Dismiss. A failure stays until dismissed, here and after a reload or a restart;
 * the rest go by themselves after HAKURIVER_JOB_KEEP_MINUTES. The words are the job's own
 * (jobWords), the same as in its row.
 */
export function JobNotices() {
  const all = useJobs();
  if (all.length === 0) return null;
  const finished = all.filter((j) => !isRunning(j));
  return (
    <section aria-label="Jobs" className="mt-3 rounded-md border border-slate-200 bg-white text-sm shadow-sm">
      <div className="flex items-center justify-between gap-2 border-b border-slate-100 px-3 py-1.5">
        <h2 className="text-xs font-semibold tracking-wide text-slate-600 uppercase">Jobs</h2>
        {finished.length > 1 && <DismissAll jobs={finished} />}
      </div>
      <ul className="max-h-64 divide-y divide-slate-100 overflow-y-auto">
        {all.map((job) => (
          <JobNotice key={job.id} job={job} />
        ))}
      </ul>
    </section>
  );
}

function JobNotice({ job }: { job: Job }) {
  const result = job.outcome?.result ?? "running";
  const { progress } = job;
  const percent = progress?.total ? Math.min(99, Math.floor((progress.done / progress.total) * 100)) : undefined;
  const name = `${JOB_LABELS[job.kind]} of ${job.target}`;
  return (
    // What, its bar and its button on the first line; the words under them, across the whole
    // notice (a long error never pushes Cancel or Dismiss out of the notices' scrolling box).
    <li aria-label={name} data-job={job.id} data-kind={job.kind} data-result={result} className={`flex flex-wrap items-center gap-x-3 gap-y-0.5 border-l-4 px-3 py-2 ${TONE[result]}`}>
      <span className="min-w-0 flex-1 font-medium">
        {JOB_LABELS[job.kind]} · <span className="font-mono [overflow-wrap:anywhere]">{job.target}</span>
      </span>
      <span data-testid="job-words" className={`order-last min-w-0 basis-full [overflow-wrap:anywhere] ${result === "failed" ? "text-red-800" : "text-slate-700"}`}>
        {jobWords(job)}
      </span>
      {percent !== undefined && isRunning(job) && <ProgressBar label={name} percent={percent} className="w-20 sm:w-28" />}
      <EndButton job={job} />
    </li>
  );
}

/** Cancel while the job runs (and can still be cancelled), Dismiss once it ended. */
function EndButton({ job }: { job: Job }) {
  const running = isRunning(job);
  if (running && job.final) return null;
  return <CancelButton label={running ? "Cancel" : "Dismiss"} cancel={() => endJobAction(job.id)} />;
}

function DismissAll({ jobs }: { jobs: Job[] }) {
  const [pending, start] = useTransition();
  return (
    <Button
      needs="operator"
      variant="ghost"
      pending={pending}
      pendingLabel="Dismissing…"
      onClick={() =>
        start(async () => {
          const results = await Promise.all(jobs.map((j) => callAction(() => endJobAction(j.id))));
          const failed = results.filter((r) => !r.ok).length;
          if (failed) toast.error(`${failed} could not be dismissed; reload and try again.`);
        })
      }
    >
      Dismiss all finished
    </Button>
  );
}
