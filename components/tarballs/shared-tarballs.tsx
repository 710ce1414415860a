import { getConfig, getFlavor } from "@/lib/config";
import { tarballSummaries } from "@/lib/queries";
import { hostEnvironmentNames } from "@/components/containers/host-environments";
import { TarballsPanel } from "./tarballs-panel";

/** Server side of the Shared Tarballs tab: the first render reads the container dir directly. */
export async function SharedTarballs() {
  return (
    <TarballsPanel
      initial={await tarballSummaries()}
      directory={getConfig().containerDir}
      keep={getConfig().tarKeep}
      imageTemplate={getFlavor().baseImage("<name>").ref}
      hostEnvironments={await hostEnvironmentNames()}
    />
  );
}
