import assert from "node:assert/strict";
import type { Job } from "@/lib/shared/jobs";
import type { RunnerStatus } from "@/lib/shared/runners";
import { listPackageJobs, startPackage } from "@/lib/tarballs/package";
import { execIn } from "./docker";
import type { Runner } from "./runner";

/**
 * The steps the Runner tests share (tests/integration/runners.test.ts, podman-runner.test.ts): a
 * version made with Create Tar, a Runner's status row checked against the Runner's own rule, and a
 * Sync job waited for. Apart from runner.ts, which Playwright specs import too: these run the
 * dashboard's server code. The registry (`@/lib/jobs`) is imported when first needed, after a test
 * file has configured its Runners.
 */

/**
 * Create Tar of `env` through the dashboard, with a marker saying which version this is; waits for
 * the job whose file is not in `made` yet, adds the file there and returns it.
 */
export async function createTarAndWait(env: string, marker: string, made: string[]): Promise<string> {
  assert.equal((await execIn(env, ["sh", "-c", `echo ${marker} > /root/marker`])).exitCode, 0);
  await startPackage(env);
  const deadline = Date.now() + 180_000;
  for (;;) {
    const job = listPackageJobs().find((j) => j.env === env && !["committing", "saving", "finishing"].includes(j.phase) && j.file && !made.includes(j.file));
    if (job) {
      assert.equal(job.phase, "done", job.error);
      made.push(job.file!);
      return job.file!;
    }
    if (Date.now() > deadline) throw new Error(`Create Tar of ${env} did not finish`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One environment's row in a Runner's status; fails when it is not there. */
export function envOf(s: RunnerStatus, env: string): RunnerStatus["environments"][number] {
  const e = s.environments.find((x) => x.env === env);
  assert.ok(e, `${env} is not in ${s.name}'s status`);
  return e;
}

/** The dashboard's verdict agrees with the Runner's own `needs_sync`. */
export async function crossCheck(s: RunnerStatus, runner: Runner, env: string): Promise<void> {
  const needs = await runner.needsSync(env);
  const e = envOf(s, env);
  if (e.state === "up_to_date") assert.equal(needs, undefined, `${s.name} says up to date but the Runner would load ${needs}`);
  else assert.equal(needs, e.newest.file, `${s.name} says ${e.state} but the Runner's rule names ${needs}`);
}

/** The registry's Sync job once it has ended; fails (instead of hanging the run) when it does not end in time. */
export async function settledWithin(id: string, timeoutMs = 30_000): Promise<Job<"sync">> {
  const { jobs } = await import("@/lib/jobs");
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`Sync job ${id} did not end within ${timeoutMs} ms`)), timeoutMs)));
  try {
    const job = await Promise.race([jobs().settled(id), timeout]);
    assert.ok(job, `Sync job ${id} is not in the registry`);
    return job as Job<"sync">;
  } finally {
    clearTimeout(timer);
  }
}
