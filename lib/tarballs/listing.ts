import "server-only";
import fs from "node:fs/promises";
import path from "node:path";
import type { TarballEnvironment } from "@/lib/shared/tarballs";
import { readImageDetails } from "./image-config";
import { containerDir } from "./store";
import { verificationOf } from "./verifications";
import { versionRegistry } from "@/lib/registry/state";

/**
 * One environment's versions with what the tab shows per version: the note inside each image
 * (read from headers once, then cached per file, size and mtime) and the last Verify of the file.
 */
export async function withNotes(environment: TarballEnvironment): Promise<TarballEnvironment> {
  const dir = await containerDir();
  const one = async (v: TarballEnvironment["versions"][number]) => {
    const file = path.join(/*turbopackIgnore: true*/ dir, v.file);
    const st = await fs.lstat(file).catch(() => undefined);
    if (!st?.isFile()) return v;
    const details = await readImageDetails(file).catch(() => undefined);
    const runnerProblem = details?.contract && !details.contract.ok ? details.contract.problems[0] : undefined;
    const registry = await versionRegistry(v.file);
    return { ...v, note: details?.note || undefined, verification: verificationOf(v.file, st), runnerProblem, ...(registry ? { registry } : {}) };
  };
  // A few at a time: an uncached version reads its image config (up to 4 MiB), and an environment
  // may have hundreds of versions.
  const versions: TarballEnvironment["versions"] = [];
  for (let i = 0; i < environment.versions.length; i += READ_AT_ONCE) {
    versions.push(...(await Promise.all(environment.versions.slice(i, i + READ_AT_ONCE).map(one))));
  }
  return { ...environment, versions };
}

const READ_AT_ONCE = 4;
