import "server-only";
import type { z } from "zod";
import { getConfig, getFlavor } from "@/lib/config";
import { processWide } from "@/lib/runtime";
import { AppError } from "@/lib/shared/errors";
import { canonicalTags } from "@/lib/shared/image-refs";
import { judgeEnvironment, type RunnerDisk, type RunnerEndpoint, type RunnerStatus, type VersionRef } from "@/lib/shared/runners";
import { listEnvironments } from "@/lib/tarballs/store";
import { runnerEngine } from "./engines";
import { Limit } from "./limit";
import { engineImagesSchema, engineInfoSchema } from "./schemas";

/** How long one Runner may take to answer a status refresh (SSH handshake included). */
export const STATUS_TIMEOUT_MS = 5_000;
/** Runners asked at once by one process; the rest wait for a slot. */
export const STATUS_CONCURRENCY = 16;

const statusLimit = () => processWide("runners.statusLimit", () => new Limit(STATUS_CONCURRENCY));
const inflight = () => processWide("runners.statusInflight", () => new Map<string, Promise<RunnerStatus>>());

export function listRunners(): RunnerEndpoint[] {
  return getConfig().runners;
}

export function findRunner(name: string): RunnerEndpoint {
  const runner = listRunners().find((r) => r.name === name);
  if (!runner) throw new AppError("not_found:runner", `No Runner named ${name} is configured (HAKURIVER_RUNNERS).`);
  return runner;
}

export interface EnvironmentVersions {
  env: string;
  /** Newest first. */
  versions: VersionRef[];
}

/** The environments in shared storage as a Runner lists them: by name, versions newest first. */
export async function environmentVersions(): Promise<EnvironmentVersions[]> {
  return (await listEnvironments()).map((e) => ({ env: e.name, versions: e.versions.map(({ file, timestamp }) => ({ file, timestamp })) }));
}

/** What one refresh asks a Runner engine: two calls, `/info` and one filtered `/images/json`. */
export interface EngineFacts {
  version: string;
  hostname?: string;
  disk: RunnerDisk;
  /** Local `<flavour>/<name>:base` images, by canonical name (lib/shared/image-refs.ts): tag → `Created` whole seconds. */
  created: Map<string, number>;
}

const UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12 };

/** Free space as some storage drivers report it in /info ("Data Space Available: 10.5 GB"); overlay2 does not. */
function reportedFree(driverStatus: unknown): number | undefined {
  if (!Array.isArray(driverStatus)) return undefined;
  const row = driverStatus.find((r) => Array.isArray(r) && /space available/i.test(String(r[0])));
  const m = row ? /^([\d.]+)\s*([kmgt]?b)$/i.exec(String(row[1]).trim()) : null;
  return m ? Math.round(Number(m[1]) * UNITS[m[2].toLowerCase()]) : undefined;
}

/**
 * An engine's answer in the shape the status reads, or an AppError saying it is not one: the
 * Docker client hands over a non-JSON body as a Buffer, and JSON of any shape as it came.
 */
function engineAnswer<S extends z.ZodType>(schema: S, answer: unknown, call: string): z.infer<S> {
  const notAnEngine = (what: string) => new AppError("unavailable:runner", `answered, but not as a Docker engine: ${what}.`);
  if (Buffer.isBuffer(answer)) throw notAnEngine(`its answer to ${call} is not JSON`);
  const parsed = schema.safeParse(answer);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
  const problem = issue.code === "invalid_type" ? `is not ${/^[aeiou]/.test(issue.expected) ? "an" : "a"} ${issue.expected}` : `is refused (${issue.message})`;
  throw notAnEngine(field ? `in its answer to ${call}, ${field} ${problem}` : `its answer to ${call} ${problem}`);
}

export async function askEngine(runner: RunnerEndpoint, timeoutMs = STATUS_TIMEOUT_MS): Promise<EngineFacts> {
  const engine = runnerEngine(runner, timeoutMs);
  const abortSignal = AbortSignal.timeout(timeoutMs);
  const prefix = `${getFlavor().name}/`;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError("unavailable:runner", `No answer within ${timeoutMs / 1000} s.`)), timeoutMs + 250);
  });
  try {
    const [infoAnswer, imagesAnswer] = await Promise.race([
      Promise.all([
        (engine.info as (opts: object) => Promise<unknown>)({ abortSignal }),
        // One pattern: Podman 4.3 matches it against localhost/… and docker.io/… names too, and ANDs
        // several reference filters (which would then match nothing).
        engine.listImages({ filters: JSON.stringify({ reference: [`${prefix}*:base`] }), abortSignal } as Parameters<typeof engine.listImages>[0] & object) as Promise<unknown>,
      ]),
      deadline,
    ]);
    const info = engineAnswer(engineInfoSchema, infoAnswer, "GET /info");
    const images = engineAnswer(engineImagesSchema, imagesAnswer, "GET /images/json");
    const created = new Map<string, number>();
    let imagesSize = 0;
    for (const image of images) {
      // Podman lists them as localhost/… or docker.io/…; a Runner on it finds them by the short name.
      const tags = canonicalTags(image.RepoTags).filter((t) => t.startsWith(prefix) && t.endsWith(":base"));
      for (const tag of tags) created.set(tag, image.Created);
      if (tags.length) imagesSize += image.Size;
    }
    return {
      version: info.ServerVersion,
      hostname: info.Name,
      disk: { imagesSize, free: reportedFree(info.DriverStatus) },
      created,
    };
  } catch (err) {
    throw new AppError("unavailable:runner", unreachableReason(runner, err, timeoutMs), { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/** Why a Runner could not be asked, in words an operator can act on. */
export function unreachableReason(runner: RunnerEndpoint, err: unknown, timeoutMs: number): string {
  if (err instanceof AppError) return err.message;
  const e = err as { code?: string; name?: string; message?: string; level?: string };
  const message = e?.message ?? String(err);
  if (e?.name === "AbortError" || e?.name === "TimeoutError" || /timed out|timeout/i.test(message)) return `No answer within ${timeoutMs / 1000} s.`;
  if (e?.code === "ENOENT") return `No engine socket at ${runner.socketPath}.`;
  if (e?.code === "ECONNREFUSED") return `Connection refused by ${runner.host ?? runner.socketPath}${runner.port ? `:${runner.port}` : ""}.`;
  if (e?.level === "client-authentication") return `SSH refused the key for ${runner.user}@${runner.host}.`;
  const at = `${runner.host}:${runner.port}`;
  const files = `<data dir>/runners/${runner.name}/`;
  if (/^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_SIGNATURE_FAILURE)$/.test(e?.code ?? "")) {
    return `The engine's TLS certificate at ${at} is not signed by the ca.pem in ${files} (${message}).`;
  }
  if (e?.code === "CERT_HAS_EXPIRED" || e?.code === "CERT_NOT_YET_VALID") return `The engine's TLS certificate at ${at} is not valid now (${message}).`;
  if (e?.code === "ERR_TLS_CERT_ALTNAME_INVALID") return `The engine's TLS certificate is not made out for ${runner.host} (${message}).`;
  if (/ALERT_BAD_CERTIFICATE|ALERT_CERTIFICATE_REQUIRED|ALERT_UNKNOWN_CA|ALERT_CERTIFICATE_UNKNOWN/.test(e?.code ?? "")) {
    return `The engine at ${at} refused the client certificate (cert.pem in ${files}): it is not signed by a CA the engine trusts (its --tlscacert).`;
  }
  if (e?.code === "ERR_SSL_WRONG_VERSION_NUMBER" || /wrong version number/.test(message)) return `${at} does not speak TLS (a plain-HTTP engine port?); tcp:// Runners are reached with TLS only.`;
  if (/verification failed|host denied/i.test(message)) return `SSH host key of ${runner.host} is not the one in <data dir>/runners/known_hosts.`;
  if (/socket hang up|ECONNRESET|Connection lost|dial-stdio|EPIPE/i.test(message)) {
    return `The connection closed before the engine answered (${message.slice(0, 160)}). Is dockerd running on ${runner.name}?`;
  }
  return message.slice(0, 300);
}

/** Per-environment status from what the engine said, by the Runners' rule. */
export function judgeRunner(environments: EnvironmentVersions[], created: Map<string, number>) {
  const flavor = getFlavor();
  return environments.map(({ env, versions }) => judgeEnvironment(env, versions, created.get(flavor.baseImage(env).ref)));
}

async function freshStatus(runner: RunnerEndpoint, environments: EnvironmentVersions[] | undefined, timeoutMs: number): Promise<RunnerStatus> {
  const started = performance.now();
  const base = { name: runner.name, url: runner.url };
  try {
    const [facts, envs] = await Promise.all([askEngine(runner, timeoutMs), environments ?? environmentVersions()]);
    return {
      ...base,
      reachable: true,
      version: facts.version,
      hostname: facts.hostname,
      disk: facts.disk,
      environments: judgeRunner(envs, facts.created),
      checkedAt: new Date().toISOString(),
      tookMs: Math.round(performance.now() - started),
    };
  } catch (err) {
    const reason = err instanceof AppError ? err.message : unreachableReason(runner, err, timeoutMs);
    const envs = await (environments ? Promise.resolve(environments) : environmentVersions()).catch(() => []);
    return {
      ...base,
      reachable: false,
      reason,
      environments: envs.map(({ env, versions }) => ({ env, state: "unknown" as const, newest: versions[0], reason: "The Runner did not answer." })),
      checkedAt: new Date().toISOString(),
      tookMs: Math.round(performance.now() - started),
    };
  }
}

/**
 * One Runner's status: reachable or not (with the reason), engine version, disk, and every
 * environment judged by the Runners' own rule. Never throws for an unreachable Runner; callers
 * asking at the same time share one refresh, and at most STATUS_CONCURRENCY Runners are asked at once.
 */
export function runnerStatus(runner: RunnerEndpoint, options: { environments?: EnvironmentVersions[]; timeoutMs?: number } = {}): Promise<RunnerStatus> {
  const key = runner.name;
  const running = inflight().get(key);
  if (running && !options.environments) return running;
  const work = statusLimit().run(() => freshStatus(runner, options.environments, options.timeoutMs ?? STATUS_TIMEOUT_MS));
  if (!options.environments) {
    inflight().set(key, work);
    void work.finally(() => inflight().delete(key));
  }
  return work;
}

/**
 * Every configured Runner, asked in parallel (within the concurrency limit) against one listing
 * of shared storage; `onResult` sees each answer as it arrives, so one slow Runner delays nobody.
 */
export async function allRunnerStatuses(onResult?: (status: RunnerStatus) => void): Promise<RunnerStatus[]> {
  const environments = await environmentVersions();
  return Promise.all(
    listRunners().map(async (runner) => {
      const status = await runnerStatus(runner, { environments });
      onResult?.(status);
      return status;
    }),
  );
}
