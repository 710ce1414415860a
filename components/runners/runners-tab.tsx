import { getConfig, getFlavor } from "@/lib/config";
import { listRunners } from "@/lib/runners/status";
import { RunnersPanel } from "./runners-panel";

/** Server side of the Runners tab: the configured Runners only; no engine is asked before the page renders. */
export function RunnersTab() {
  return (
    <RunnersPanel
      initialRunners={listRunners().map(({ name, url }) => ({ name, url }))}
      imageTemplate={getFlavor().baseImage("<name>").ref}
      syncLimit={getConfig().runnerSyncLimit}
    />
  );
}
