import "server-only";
import { getConfig } from "@/lib/config";
import { processWide } from "@/lib/runtime";
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

type Answer = { at: number; digest?: string; error?: string };
const cache = () => processWide("registry.stateCache", () => new Map<string, Answer>());

/** Forgets what the registry said about a version (after a push or a delete). */
export function forgetState(file: string): void {
  cache().delete(file);
}

async function ask(file: string, repo: string, tag: string): Promise<Answer> {
  const cached = cache().get(file);
  if (cached && Date.now() - cached.at < CACHE_MS) return cached;
  const answer: Answer = await manifestDigest(repo, tag).then(
    (digest) => ({ at: Date.now(), ...(digest ? { digest } : {}) }),
    (err) => ({ at: Date.now(), error: registryReason(err) }),
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
