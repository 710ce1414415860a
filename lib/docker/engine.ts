import "server-only";
import { askPatiently, seconds, SLOW_ANSWER_MS, type Patient } from "@/lib/shared/patience";
import { docker } from "./client";

export interface EngineStatus {
  reachable: boolean;
  version?: string;
  apiVersion?: string;
  /** "Docker" or "Podman" (Podman's Docker-compatible API names itself in `/version`'s Components). */
  product?: string;
  /** How long the answer took. */
  tookMs?: number;
  /** Why it is not reachable. */
  reason?: string;
}

interface VersionAnswer {
  Version?: string;
  ApiVersion?: string;
  Components?: { Name?: string }[];
}

/** An engine's answer to `/version`, or why there is none, as the status says it. */
export function engineStatusOf(answer: Patient<VersionAnswer>): EngineStatus {
  if (!answer.ok) {
    const e = answer.error as { code?: string; message?: string } | undefined;
    const reason = answer.timedOut
      ? `no answer within ${answer.timedOut.map((ms) => seconds(ms)).join(", ")}`
      : e?.code === "ENOENT"
      ? "no engine socket there"
      : e?.code === "ECONNREFUSED"
      ? "connection refused"
      : (e?.message ?? String(answer.error)).slice(0, 200);
    return { reachable: false, reason };
  }
  const v = answer.value;
  const product = v.Components?.some((c) => /podman/i.test(c.Name ?? "")) ? "Podman" : "Docker";
  return { reachable: true, version: v.Version, apiVersion: v.ApiVersion, product, tookMs: answer.tookMs };
}

/**
 * Asks the engine for its version, once per timeout in `timeoutsMs` (longer each time; one number
 * is one try) until it answers; an engine that refuses or has no socket is not asked again.
 */
export async function engineStatus(timeoutsMs: number | readonly number[] = [3_000]): Promise<EngineStatus> {
  const answer = await askPatiently(
    (_, signal) => (docker().version as (opts: object) => Promise<VersionAnswer>)({ abortSignal: signal }),
    typeof timeoutsMs === "number" ? [timeoutsMs] : timeoutsMs,
  );
  return engineStatusOf(answer);
}

/** The start-up line's words for the engine at `endpoint`. */
export function engineStatusWords(endpoint: string, s: EngineStatus): string {
  if (!s.reachable) return `${endpoint} does NOT answer (${s.reason}): the pages will say so until it does`;
  const what = `${s.product ?? "Docker"} ${s.version}, API ${s.apiVersion}`;
  return s.tookMs !== undefined && s.tookMs >= SLOW_ANSWER_MS ? `${endpoint} is slow to answer (${seconds(s.tookMs)}; ${what})` : `${endpoint} answers (${what})`;
}
