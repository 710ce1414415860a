import { listContainers } from "@/lib/docker/containers";
import { dockerEndpoint } from "@/lib/docker/client";
import { toAppError } from "@/lib/errors";
import { ContainersPanel } from "./containers-panel";
import type { ContainersSnapshot } from "./use-containers";

/** Server side of the Host Containers tab: the first render comes straight from the engine. */
export async function HostContainers({ showAll }: { showAll: boolean }) {
  let initial: ContainersSnapshot;
  try {
    initial = { containers: await listContainers({ all: showAll }) };
  } catch (err) {
    const e = toAppError(err);
    initial = { containers: [], error: e.message, code: e.code };
  }
  return <ContainersPanel initial={initial} showAll={showAll} endpoint={dockerEndpoint()} />;
}
