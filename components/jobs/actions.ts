"use server";

import { runCommand } from "@/lib/actions";

/** Cancels a running job or dismisses a finished one (`DELETE /api/jobs/<id>`). */
export async function endJobAction(id: string) {
  return runCommand("job.end", id);
}
