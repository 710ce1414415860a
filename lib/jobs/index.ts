import "server-only";
import path from "node:path";
import { getConfig } from "@/lib/config";
import { processWide } from "@/lib/runtime";
import { Journal } from "./journal";
import { JobRegistry } from "./registry";

export type { Done, JobContext, Pipeline } from "./registry";

/**
 * The process's one job registry (lib/runtime.ts: server.ts and Next's bundles share it), its
 * journal `<data dir>/jobs.jsonl`, and each kind's rule. Recovered once, at first use: jobs the
 * journal says were running when the process ended come back as `interrupted`.
 */
export function jobs(): JobRegistry {
  return processWide("jobs.registry", () => {
    const config = getConfig();
    const registry = new JobRegistry(new Journal(path.join(/*turbopackIgnore: true*/ config.dataDir, "jobs.jsonl")), {
      keepMs: config.jobKeepMinutes * 60_000,
      rules: {
        // Each Verify keeps up to 16 MiB of small members and reads the whole file: two at once.
        verify: { onePerTarget: true, atOnce: 2, waitingMax: 32 },
      },
    });
    registry.recover();
    return registry;
  });
}
