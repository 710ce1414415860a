import "server-only";
import type Docker from "dockerode";
import { getConfig, getFlavor } from "@/lib/config";
import { dockerMessage } from "@/lib/docker/errors";
import { manifestDigest, registryReason } from "@/lib/registry/client";
import { registryRef } from "@/lib/registry/refs";
import { AppError } from "@/lib/shared/errors";

/**
 * Sync now through the registry (docs/registry.md): the Runner's engine pulls
 * `<registry>/<flavour>/<env>:<ts>` — fetching only the layers it lacks — and tags the result
 * `<flavour>/<env>:base`. The image ID is the tarball's (the registry keeps the image's config
 * byte for byte), so its `Created` is too, and the Runners' own rule finds it up to date.
 */

const CHECK_MS = 10_000;

type Plan = { ref: string } | { reason: string };

const authconfig = () => {
  const s = getConfig().registry;
  return s?.user ? { username: s.user, password: s.password, serveraddress: s.host } : undefined;
};

/**
 * Whether this Runner can pull the version from the registry: the version must be there, and the
 * Runner's engine must reach it (it is asked for the manifest, `GET /distribution/<ref>/json`).
 * The reason when not, for the job to say why it loaded the tarball instead.
 */
export async function pullPlan(engine: Docker, file: string): Promise<Plan | undefined> {
  if (!getConfig().registry) return undefined;
  const { repo, tag, ref } = registryRef(file);
  try {
    if (!(await manifestDigest(repo, tag))) return { reason: `${ref} is not in the registry` };
  } catch (err) {
    return { reason: `the registry cannot be asked: ${registryReason(err)}` };
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      engine.getImage(ref).distribution({ authconfig: authconfig() } as object),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_MS / 1000} s`)), CHECK_MS))),
    ]);
    return { ref };
  } catch (err) {
    // Podman's Docker API has no /distribution: its 404 is a plain "Not Found", not a registry's answer.
    if ((err as { statusCode?: number }).statusCode === 404 && !/manifest|unknown|not found:/i.test(dockerMessage(err))) {
      return { reason: "its engine cannot be asked whether it reaches the registry (no GET /distribution in its API, as in Podman's)" };
    }
    return { reason: `its engine cannot reach the registry: ${dockerMessage(err).replace(/\.$/, "")}` };
  } finally {
    clearTimeout(timer);
  }
}

interface PullEvent {
  id?: string;
  status?: string;
  error?: string;
  progressDetail?: { current?: number; total?: number };
}

/**
 * Pulls `ref` on the Runner and tags it `<flavour>/<env>:base` (the registry's tag is taken off
 * again). `onFetched` gets the bytes fetched so far and the bytes to fetch as far as known: layers
 * the engine already has count for nothing.
 */
export async function pullVersion(engine: Docker, ref: string, env: string, signal: AbortSignal, onFetched: (done: number, total: number) => void): Promise<void> {
  signal.throwIfAborted();
  const auth = authconfig();
  const stream = (await engine.pull(ref, { ...(auth ? { authconfig: auth } : {}), abortSignal: signal } as object)) as NodeJS.ReadableStream;
  const layers = new Map<string, { done: number; total: number }>();
  const report = () => {
    const all = [...layers.values()];
    onFetched(all.reduce((n, l) => n + l.done, 0), all.reduce((n, l) => n + l.total, 0));
  };
  await new Promise<void>((resolve, reject) => {
    let failed: string | undefined;
    engine.modem.followProgress(
      stream,
      (err: unknown) => (err || failed ? reject(new AppError("failed:sync", `the pull of ${ref} failed: ${failed ?? dockerMessage(err)}`)) : resolve()),
      (e: PullEvent) => {
        if (e.error) failed ??= e.error;
        if (!e.id || !e.status) return;
        const layer = layers.get(e.id) ?? { done: 0, total: 0 };
        if (e.status === "Downloading") {
          layer.total = e.progressDetail?.total ?? layer.total;
          layer.done = e.progressDetail?.current ?? layer.done;
          layers.set(e.id, layer);
        } else if (e.status === "Download complete" && layers.has(e.id)) layer.done = layer.total;
        else return;
        report();
      },
    );
  });
  report();
  const { repo, tag } = getFlavor().baseImage(env);
  await engine.getImage(ref).tag({ repo, tag });
  await engine
    .getImage(ref)
    .remove({ noprune: true })
    .catch(() => {});
}
