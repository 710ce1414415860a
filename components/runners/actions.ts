"use server";

import { runCommand } from "@/lib/actions";

export async function syncRunnerAction(runner: string, env?: string) {
  return runCommand("runner.sync", env ? { runner, env } : { runner });
}

export async function syncAllRunnersAction() {
  return runCommand("runner.sync_all", undefined);
}

export async function cancelRunnerSyncAction(runner: string) {
  return runCommand("runner.cancel", runner);
}
