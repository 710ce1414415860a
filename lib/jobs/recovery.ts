import "server-only";
import { undoInterruptedCreation } from "@/lib/docker/creations";
import { JOB_LABELS, type Job } from "@/lib/shared/jobs";
import { undoInterruptedPackage } from "@/lib/tarballs/package";
import { undoInterruptedPush } from "@/lib/registry/push";
import { jobs } from "./index";

/**
 * At start-up, before any job can start: what the jobs a crash interrupted had made is undone, by
 * each pipeline's own rule (it journaled what it made with `record`): a creation's container is
 * removed, a Create Tar's `:base` tag goes back, a push's registry tag goes. Verify and Sync leave nothing to undo. The only
 * place that knows every pipeline; the registry itself knows none.
 */
const UNDO: Partial<Record<Job["kind"], (job: Job) => Promise<unknown>>> = {
  create: undoInterruptedCreation,
  restore: undoInterruptedCreation,
  package: (job) => undoInterruptedPackage(job as Job<"package">),
  push: (job) => undoInterruptedPush(job as Job<"push">),
};

export async function undoInterruptedJobs(): Promise<void> {
  for (const job of jobs().interrupted) {
    console.log(`${JOB_LABELS[job.kind]} of ${job.target} was interrupted by a restart.`);
    await UNDO[job.kind]?.(job).catch((err: unknown) => console.error(`[hakuriver] could not undo the interrupted ${JOB_LABELS[job.kind]} of ${job.target}:`, err));
  }
}
