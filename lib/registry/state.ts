import "server-only";
import { getConfig } from "@/lib/config";
import { processWide } from "@/lib/runtime";
import { AppError } from "@/lib/shared/errors";
import { isRunning } from "@/lib/shared/jobs";
import type { VersionRegistry } from "@/lib/shared/tarballs";
import { jobs } from "@/lib/jobs";
import { manifestDigest, registryReason } from "./client";
import { pushRecord } from "./records";
import { registryRef } from "./refs";

/**
 * Whether a version is in the registry, as the version's row says it. The registry is asked (HEAD
 * of the tag's manifest, kept CACHE_MS), so a registry wiped or cleaned since the push says so; the
 * push record (records.ts) adds why a push failed, and a running push job says "pushing".
 */
const CACHE_MS = 15_000;
/** A listing asks per version: a registry that does not answer must not hold it up for long. */
const ASK_MS = 3_000;

type Answer = { at: number; digest?: string; error?: string };
const cache = () => processWide("registry.stateCache", () => new Map<string, Answer>());
/** The last time the registry could not be asked at all: the other versions are not asked again for CACHE_MS. */
const down = () => processWide("registry.down", () => ({ at: 0, error: "" }));

/** Forgets what the registry said about a version (after a push or a delete), and every "cannot be asked". */
export function forgetState(file: string): void {
  cache().delete(file);
  // The registry answered or was just asked for real: what others were told while it was down is old news.
  for (const [key, answer] of cache()) if (answer.error) cache().delete(key);
  down().at = 0;
}

async function ask(file: string, repo: string, tag: string): Promise<Answer> {
  const cached = cache().get(file);
  if (cached && Date.now() - cached.at < CACHE_MS) return cached;
  const unreachable = down();
  if (Date.now() - unreachable.at < CACHE_MS) return { at: unreachable.at, error: unreachable.error };
  const answer: Answer = await manifestDigest(repo, tag, ASK_MS).then(
    (digest) => ({ at: Date.now(), ...(digest ? { digest } : {}) }),
    (err) => {
      const error = registryReason(err);
      // Not an answer (refused, timed out, no such host): the registry is down for every version.
      if (!(err instanceof AppError)) Object.assign(unreachable, { at: Date.now(), error });
      return { at: Date.now(), error };
    },
  );
  cache().set(file, answer);
  return answer;
}

/** One version's registry state; undefined when no registry is configured. */
export async function versionRegistry(file: string): Promise<VersionRegistry | undefined> {
  if (!getConfig().registry) return undefined;
  const { repo, tag, ref } = registryRef(file);
  const base = { ref, pull: `docker pull ${ref}` };
  const job = jobs().latest("push", file);
  if (job && isRunning(job)) return { ...base, state: "pushing" };
  const record = pushRecord(file);
  const answer = await ask(file, repo, tag);
  if (answer.digest) return { ...base, state: "in_registry", digest: answer.digest };
  if (record?.error) return { ...base, state: "not_in_registry", reason: record.error };
  if (answer.error) return { ...base, state: "unknown", reason: `the registry cannot be asked: ${answer.error}` };
  if (record?.digest) return { ...base, state: "not_in_registry", reason: `the registry no longer has ${ref} (pushed ${record.at})` };
  return { ...base, state: "not_pushed" };
}
