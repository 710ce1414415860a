import "server-only";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/shared/errors";
import type { RegistrySettings } from "./settings";

/**
 * The registry's HTTP API (OCI Distribution, `/v2/`), as far as the dashboard asks it itself: is
 * a tag there (HEAD of its manifest), and delete one. Pushes and pulls are the engines' (push.ts,
 * lib/runners/pull.ts). Logs in with Basic credentials, or with the bearer token a registry's
 * `WWW-Authenticate` challenge names (Harbor, cloud registries).
 */

const TIMEOUT_MS = 10_000;
/** Every manifest type an engine may push: Docker's schema 2 (and its list), OCI's manifest and index. */
const MANIFEST_TYPES = [
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.oci.image.index.v1+json",
].join(", ");

export function registrySettings(): RegistrySettings {
  const settings = getConfig().registry;
  if (!settings) throw new AppError("bad_request:registry", "No registry is configured (HAKURIVER_REGISTRY).");
  return settings;
}

const basic = (s: RegistrySettings) => (s.user ? `Basic ${Buffer.from(`${s.user}:${s.password ?? ""}`).toString("base64")}` : undefined);

/** The registry's refusal or silence, in words an operator can act on. */
export function registryReason(err: unknown): string {
  if (err instanceof AppError) return err.message;
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.cause?.code;
  const host = getConfig().registry?.host ?? "the registry";
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return `${host} did not answer in time`;
  if (code === "ECONNREFUSED") return `${host} refused the connection (is the registry running?)`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `${host} is not a known host name`;
  if (code === "UND_ERR_SOCKET" || code === "ECONNRESET") return `${host} closed the connection without answering`;
  return `${host}: ${e?.cause?.message ?? e?.message ?? String(err)}`.slice(0, 300);
}

/** A bearer token for `challenge` (`Bearer realm="…",service="…",scope="…"`), or undefined when it is not one. */
async function bearerToken(challenge: string, s: RegistrySettings, signal: AbortSignal): Promise<string | undefined> {
  if (!/^Bearer\s/i.test(challenge)) return undefined;
  const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  if (!params.realm) return undefined;
  const url = new URL(params.realm);
  for (const key of ["service", "scope"]) if (params[key]) url.searchParams.set(key, params[key]);
  const auth = basic(s);
  const answer = await fetch(url, { headers: auth ? { Authorization: auth } : {}, signal });
  if (!answer.ok) throw new AppError("failed:registry", `${s.host} refused the credentials of HAKURIVER_REGISTRY_USER (${answer.status} from its token service)`);
  const body = (await answer.json()) as { token?: string; access_token?: string };
  return body.token ?? body.access_token;
}

/** One call to `/v2/<path>`, logged in as configured; the answer whatever its status. */
export async function registryCall(method: "GET" | "HEAD" | "DELETE", path: string, headers: Record<string, string> = {}, timeoutMs = TIMEOUT_MS): Promise<Response> {
  const s = registrySettings();
  const signal = AbortSignal.timeout(timeoutMs);
  const url = `${s.insecure ? "http" : "https"}://${s.host}/v2/${path}`;
  const auth = basic(s);
  let answer = await fetch(url, { method, headers: { ...headers, ...(auth ? { Authorization: auth } : {}) }, signal, redirect: "follow" });
  const challenge = answer.status === 401 ? answer.headers.get("www-authenticate") : null;
  const token = challenge ? await bearerToken(challenge, s, signal) : undefined;
  if (token) answer = await fetch(url, { method, headers: { ...headers, Authorization: `Bearer ${token}` }, signal });
  if (answer.status === 401) {
    throw new AppError("failed:registry", s.user ? `${s.host} refused the credentials of HAKURIVER_REGISTRY_USER (${s.user})` : `${s.host} asks for credentials: set HAKURIVER_REGISTRY_USER and HAKURIVER_REGISTRY_PASSWORD`);
  }
  return answer;
}

/** Whether the registry answers its API root, logged in; the reason when it does not. */
export async function registryProblem(): Promise<string | undefined> {
  try {
    const answer = await registryCall("GET", "");
    await answer.body?.cancel();
    return answer.ok ? undefined : `${registrySettings().host} answered /v2/ with ${answer.status} ${answer.statusText}`.trim();
  } catch (err) {
    return registryReason(err);
  }
}

/** The digest of `repo:tag`'s manifest; undefined when the registry has no such tag. */
export async function manifestDigest(repo: string, tag: string, timeoutMs = TIMEOUT_MS): Promise<string | undefined> {
  const answer = await registryCall("HEAD", `${repo}/manifests/${tag}`, { Accept: MANIFEST_TYPES }, timeoutMs);
  if (answer.status === 404) return undefined;
  if (!answer.ok) throw new AppError("failed:registry", `${registrySettings().host} answered ${answer.status} for ${repo}:${tag}`);
  const digest = answer.headers.get("docker-content-digest");
  if (!digest) throw new AppError("failed:registry", `${registrySettings().host} did not say the digest of ${repo}:${tag} (no Docker-Content-Digest)`);
  return digest;
}

/**
 * Deletes `repo:tag` by its manifest's digest. "unsupported" when the registry refuses deletes
 * (Distribution without `storage.delete.enabled`: 405) — the tag then stays, and the caller says so.
 */
export async function deleteManifest(repo: string, tag: string): Promise<"deleted" | "absent" | "unsupported"> {
  const digest = await manifestDigest(repo, tag);
  if (!digest) return "absent";
  const answer = await registryCall("DELETE", `${repo}/manifests/${digest}`);
  await answer.body?.cancel();
  if (answer.status === 202 || answer.status === 200) return "deleted";
  if (answer.status === 404) return "absent";
  if (answer.status === 405) return "unsupported";
  throw new AppError("failed:registry", `${registrySettings().host} answered ${answer.status} to deleting ${repo}:${tag}`);
}
