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
        create: { onePerTarget: true },
        restore: { onePerTarget: true },
        // One Create Tar per environment: two would race for the same `:base` tag.
        package: { onePerTarget: true },
        // Each Verify keeps up to 16 MiB of small members and reads the whole file: two at once.
        verify: { onePerTarget: true, atOnce: 2, waitingMax: 32 },
        // One Sync per Runner; HAKURIVER_RUNNER_SYNC_LIMIT Runners load at once (shared storage and the network are the limit).
        sync: { onePerTarget: true, atOnce: config.runnerSyncLimit, waitingMax: 256 },
        // One push per version; two at once (the Host engine uploads, each only the layers the registry lacks).
        push: { onePerTarget: true, atOnce: 2, waitingMax: 64 },
      },
    });
    registry.recover({
      create: "The dashboard stopped while this ran; what it had made was removed at the next start.",
      restore: "The dashboard stopped while this ran; what it had made was removed at the next start.",
      package: "The dashboard stopped while this ran; no partial file was kept and older versions are intact.",
      sync: "The dashboard stopped while this ran; the Runner keeps the image it had for a load that was cut off.",
      push: "The dashboard stopped while this ran; the tarball is intact — push it again from its row.",
    });
    return registry;
  });
}
