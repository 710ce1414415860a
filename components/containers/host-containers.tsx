import { dockerEndpoint } from "@/lib/docker/client";
import { containersPage } from "@/lib/queries";
import { ContainersPanel } from "./containers-panel";
import type { ContainersView } from "./use-containers";

/** Server side of the Host Containers tab: the first render (one page) comes straight from the engine. */
export async function HostContainers({ view }: { view: ContainersView }) {
  return <ContainersPanel initial={await containersPage(view)} view={view} endpoint={dockerEndpoint()} />;
}
