import "server-only";
import { getConfig } from "@/lib/config";
import { deleteManifest, registryReason } from "./client";
import { forgetPush } from "./records";
import { registryRef } from "./refs";
import { forgetState } from "./state";

/**
 * With a version deleted (by the user or by retention), its tag in the registry goes too: the
 * manifest is deleted by digest. Returns a sentence for the user (empty without a registry); never
 * throws — the file is gone either way, and the sentence says what stayed in the registry and why.
 */
export async function removeFromRegistry(file: string): Promise<string> {
  const s = getConfig().registry;
  if (!s) return "";
  const { ref } = registryRef(file);
  try {
    const done = await deleteManifest(registryRef(file).repo, registryRef(file).tag);
    forgetPush(file);
    if (done === "deleted") return ` Deleted ${ref} from the registry.`;
    if (done === "absent") return "";
    return ` ${s.host} does not allow deletes: ${ref} stays there (Distribution needs storage.delete.enabled; its garbage collector frees the space).`;
  } catch (err) {
    return ` Could not delete ${ref} from the registry: ${registryReason(err).replace(/\.$/, "")}.`;
  } finally {
    forgetState(file);
  }
}
