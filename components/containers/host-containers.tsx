import { listContainers } from "@/lib/docker/containers";
import { dockerEndpoint } from "@/lib/docker/client";
import { toAppError } from "@/lib/errors";
import { pageOf } from "@/lib/paging";
import { ContainersPanel } from "./containers-panel";
import type { ContainersSnapshot, ContainersView } from "./use-containers";

/** Server side of the Host Containers tab: the first render (one page) comes straight from the engine. */
export async function HostContainers({ view }: { view: ContainersView }) {
  let initial: ContainersSnapshot;
  try {
    const { items, ...rest } = pageOf(await listContainers({ all: view.all }), view);
    initial = { containers: items, ...rest };
  } catch (err) {
    const e = toAppError(err);
    initial = { containers: [], total: 0, page: 1, pages: 1, error: e.message, code: e.code };
  }
  return <ContainersPanel initial={initial} view={view} endpoint={dockerEndpoint()} />;
}
