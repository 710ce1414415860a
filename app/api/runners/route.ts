import { handleApi, commandResponse } from "@/lib/http";
import { listRunners } from "@/lib/runners/status";
import { listSyncJobs } from "@/lib/runners/sync";

export const dynamic = "force-dynamic";

/**
 * The configured Runners (no engine is asked: this answers at once) and their Sync now jobs.
 * Each Runner's status is `GET /api/runners/<name>`, so one slow Runner delays nobody.
 */
export async function GET(request: Request) {
  return handleApi(request, async () =>
    Response.json({ runners: listRunners().map(({ name, url }) => ({ name, url })), jobs: listSyncJobs() }, { headers: { "Cache-Control": "no-store" } }),
  );
}

/** Sync now for every Runner at once (within HAKURIVER_RUNNER_SYNC_LIMIT loads at a time). */
export async function POST(request: Request) {
  return commandResponse(request, "runner.sync_all", undefined);
}
