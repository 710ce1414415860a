import "server-only";
import { undoInterruptedCreation } from "@/lib/docker/creations";
import { jobs } from "./index";

/**
 * At start-up, before any job can start: what the jobs a crash interrupted had made is undone, by
 * each pipeline's own rule (it journaled what it made with `record`). The only place that knows
 * every pipeline; the registry itself knows none.
 */
export async function undoInterruptedJobs(): Promise<void> {
  for (const job of jobs().interrupted) {
    await undoInterruptedCreation(job).catch((err: unknown) => console.error(`[hakuriver] could not undo the interrupted ${job.kind} of ${job.target}:`, err));
  }
}
