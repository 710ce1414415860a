import "server-only";
import fs from "node:fs";
import path from "node:path";
import { audit } from "@/lib/audit";
import { getConfig, getFlavor } from "@/lib/config";
import { processWide } from "@/lib/runtime";
import { docker } from "@/lib/docker/client";
import { isUnreachable } from "@/lib/docker/errors";
import { inspectImage, removeImageTag } from "@/lib/docker/images";
import { AppError } from "@/lib/shared/errors";
import { canonicalImageRef } from "@/lib/shared/image-refs";

/**
 * The temporary `<repo>:v<timestamp>` tags of New container from this version (lib/tarballs/load.ts
 * makes them): which ones the dashboard made, which ones a creation still needs, and their removal
 * once no container uses them. Only tags recorded here are ever removed — a `hakuriver/x:v123`
 * someone tagged by hand looks the same, and is not ours to delete.
 */
const VERSION_TAG = /^v\d+$/;

/** Whether `ref` has the shape of a version tag of this flavour: `<flavour>/<repo>:v<digits>` (canonical form). */
function isVersionTag(ref: string): boolean {
  if (canonicalImageRef(ref) !== ref) return false;
  const colon = ref.lastIndexOf(":");
  return colon > 0 && ref.startsWith(`${getFlavor().name}/`) && !ref.slice(0, colon).includes(":") && VERSION_TAG.test(ref.slice(colon + 1));
}

/**
 * Version tags a creation is still using (loaded, container not made yet): the clean-up leaves
 * them alone, whoever runs it meanwhile. Counted, since two creations may share one version.
 */
const loading = () => processWide("versionTags.loading", () => new Map<string, number>());

/** Marks `ref` as in use by a creation until `releaseVersionTag`. */
export function holdVersionTag(ref: string): void {
  loading().set(ref, (loading().get(ref) ?? 0) + 1);
}

export function releaseVersionTag(ref: string): void {
  const n = (loading().get(ref) ?? 1) - 1;
  if (n > 0) loading().set(ref, n);
  else loading().delete(ref);
}

/**
 * The journal of tags the dashboard made, `<data dir>/version-tags.json`: it outlives restarts, so
 * the start-up clean-up still knows them. Read on every use (server.ts and Next's bundles share it
 * through the file); entries that are not version tags (a hand-edited file) are ignored.
 */
function journalFile(): string {
  return path.join(/*turbopackIgnore: true*/ getConfig().dataDir, "version-tags.json");
}

function recorded(): Set<string> {
  try {
    const list = JSON.parse(fs.readFileSync(journalFile(), "utf8")) as unknown;
    return new Set(Array.isArray(list) ? list.filter((t): t is string => typeof t === "string" && isVersionTag(t)) : []);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") console.error("[hakuriver] could not read the version tag journal:", err);
    return new Set();
  }
}

/** Replaces the journal atomically (write aside, rename), so a crash leaves the old or the new list. */
function writeJournal(tags: Set<string>): void {
  fs.mkdirSync(path.dirname(journalFile()), { recursive: true, mode: 0o700 });
  const tmp = `${journalFile()}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify([...tags].sort(), null, 1), { mode: 0o600 });
  fs.renameSync(tmp, journalFile());
}

/**
 * Records `ref` as made by the dashboard, so the clean-up may remove it later. Throws when the
 * journal cannot be written: the user is told, and the tag is then never removed by the clean-up.
 */
export function recordVersionTag(ref: string): void {
  if (!isVersionTag(ref)) throw new AppError("failed:version", `${ref} is not a version tag; it was not recorded.`);
  const tags = recorded();
  if (tags.has(ref)) return;
  tags.add(ref);
  try {
    writeJournal(tags);
  } catch (err) {
    throw new AppError("failed:disk", `Could not record ${ref} in ${journalFile()}: ${(err as Error).message}`, { cause: err });
  }
}

function forget(refs: string[]): void {
  if (refs.length === 0) return;
  const tags = recorded();
  for (const ref of refs) tags.delete(ref);
  try {
    writeJournal(tags);
  } catch (err) {
    // Harmless: a forgotten tag that is gone is forgotten again next time.
    console.error("[hakuriver] could not update the version tag journal:", err);
  }
}

/**
 * How many containers (running or not) were made from `tag` or from its image `id`. Read from the
 * full list, not Docker's `ancestor` filter: Podman's finds none, and names the image
 * `docker.io/<repo>:v<ts>` (lib/shared/image-refs.ts compares the names).
 */
async function containersUsing(tag: string, id: string): Promise<number> {
  const containers = await docker().listContainers({ all: true });
  const bareId = (i: string | undefined) => i?.replace(/^sha256:/, "");
  return containers.filter((c) => bareId(c.ImageID) === bareId(id) || canonicalImageRef(c.Image) === tag).length;
}

/**
 * Removes every recorded version tag that no container uses and no creation holds (the image goes
 * with it when nothing else refers to it; layers shared with other images stay), and forgets tags
 * that are gone. Each removal is audited under `session` with `why`. Best effort: a tag that
 * cannot be removed now stays recorded and is tried again on the next delete or start-up.
 */
export async function removeUnusedVersionTags(session: string, why: string): Promise<string[]> {
  const removed: string[] = [];
  const gone: string[] = [];
  try {
    for (const tag of recorded()) {
      if (loading().has(tag)) continue;
      const image = await inspectImage(tag);
      if (!image) {
        gone.push(tag);
        continue;
      }
      // Looked at again after the awaits: a creation may have taken the tag meanwhile.
      if ((await containersUsing(tag, image.id)) > 0 || loading().has(tag) || !(await removeImageTag(tag))) continue;
      removed.push(tag);
      audit({ session, action: "image.untag", target: tag, result: "ok", detail: `${why}; no container uses this version tag any more` });
    }
  } catch (err) {
    // An engine that does not answer says so elsewhere; the next delete or start tries again.
    if (!isUnreachable(err)) console.error("[hakuriver] could not remove unused version tags:", err);
  } finally {
    forget([...removed, ...gone]);
  }
  return removed;
}
