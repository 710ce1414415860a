import { getConfig, getFlavor } from "@/lib/config";
import { toAppError } from "@/lib/errors";
import { listEnvironments, summarize } from "@/lib/tarballs/store";
import { TarballsPanel, type TarballsSnapshot } from "./tarballs-panel";

/** Server side of the Shared Tarballs tab: the first render reads the container dir directly. */
export async function SharedTarballs() {
  let initial: TarballsSnapshot;
  try {
    initial = { environments: summarize(await listEnvironments()) };
  } catch (err) {
    initial = { environments: [], error: toAppError(err).message };
  }
  return (
    <TarballsPanel
      initial={initial}
      directory={getConfig().containerDir}
      keep={getConfig().tarKeep}
      imageTemplate={getFlavor().baseImage("<name>").ref}
    />
  );
}
