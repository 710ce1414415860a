import "server-only";
import { getConfig } from "@/lib/config";
import { docker } from "@/lib/docker/client";
import { dockerMessage } from "@/lib/docker/errors";
import { inspectImage, removeImageTag, tagImage } from "@/lib/docker/images";
import { jobs, type Done, type JobContext } from "@/lib/jobs";
import { AppError } from "@/lib/shared/errors";
import { isRunning, type Job, type JobPart } from "@/lib/shared/jobs";
import { readImageDetails } from "@/lib/tarballs/image-config";
import { loadVersion } from "@/lib/tarballs/load";
import { versionFile } from "@/lib/tarballs/store";
import { registryProblem, registryReason, registrySettings } from "./client";
import { recordPush } from "./records";
import { registryRef, type RegistryRef } from "./refs";
import { forgetState } from "./state";

/**
 * Push to registry: one version's image, pushed by the Host engine as `<registry>/<flavour>/<env>:<ts>`
 * (only the layers the registry lacks are uploaded). A job of the one registry (lib/jobs: one per
 * version), started by Create Tar once the tarball is published — a failure there never fails
 * Create Tar — and by the version's **Push again** / **Push to registry**. The outcome is kept in
 * records.ts, so the version says why it is not in the registry.
 */

const PROGRESS_MS = 150;

export const runningPush = (file: string) =>
  jobs()
    .list("push")
    .find((j) => j.target === file && isRunning(j));

/** Starts pushing a version; `image` is the image ID when the caller knows it (Create Tar's commit). */
export async function startPush(file: string, image?: string): Promise<Job<"push">> {
  registrySettings();
  if (!image) await versionFile(file);
  return jobs().start("push", file, "preparing", pushPipeline, { about: { ref: registryRef(file).ref, ...(image ? { image } : {}) } });
}

async function pushPipeline(ctx: JobContext<"push">): Promise<Done> {
  const file = ctx.job.target;
  const target = registryRef(file);
  try {
    const problem = await registryProblem();
    if (problem) throw new AppError("failed:push", problem);
    const id = await versionImage(ctx, file);
    ctx.signal.throwIfAborted();
    const digest = await pushTagged(ctx, id, target);
    recordPush(file, { ref: target.ref, digest });
    return { message: `Pushed ${file} to the registry as ${target.ref}.`, details: { ref: target.ref, digest } };
  } catch (err) {
    const reason = ctx.signal.aborted ? "the push was cancelled" : registryReason(err).replace(/\.$/, "");
    recordPush(file, { ref: target.ref, error: reason });
    throw new AppError(ctx.signal.aborted ? "failed:cancelled" : "failed:push", `${file} is not in the registry: ${reason}.`);
  } finally {
    forgetState(file);
  }
}

/**
 * The image of the version on the Host: the one Create Tar committed, or the one the tarball's
 * Details name; when the Host no longer has it, the tarball is loaded (as `<repo>:v<ts>`, never `:base`).
 */
async function versionImage(ctx: JobContext<"push">, file: string): Promise<string> {
  const known = ctx.job.about?.image;
  if (known && (await inspectImage(known))) return known;
  const details = await readImageDetails((await versionFile(file)).path);
  if (details.imageId && (await inspectImage(details.imageId))) return details.imageId;
  ctx.phase("loading");
  const ref = await loadVersion(file, () => {}, ctx.signal);
  const loaded = await inspectImage(ref);
  if (!loaded) throw new AppError("failed:push", `loading ${file} gave no image`);
  return loaded.id;
}

interface PushEvent {
  id?: string;
  status?: string;
  error?: string;
  aux?: { Digest?: string };
  progressDetail?: { current?: number; total?: number };
}

/** Tags the image with its registry reference, has the engine push it, and takes the tag off again. */
async function pushTagged(ctx: JobContext<"push">, id: string, target: RegistryRef): Promise<string> {
  const s = registrySettings();
  await tagImage(id, target.name, target.tag);
  try {
    ctx.phase("pushing");
    const authconfig = s.user ? { username: s.user, password: s.password, serveraddress: s.host } : undefined;
    const stream = (await docker()
      .getImage(target.name)
      .push({ tag: target.tag, ...(authconfig ? { authconfig } : {}), abortSignal: ctx.signal } as object)) as NodeJS.ReadableStream;
    return await followPush(ctx, stream);
  } finally {
    await removeImageTag(target.ref);
  }
}

/** Reads the engine's push stream: per-layer parts, bytes sent; resolves with the manifest's digest. */
function followPush(ctx: JobContext<"push">, stream: NodeJS.ReadableStream): Promise<string> {
  const layers = new Map<string, JobPart & { done: number; total: number }>();
  let digest: string | undefined;
  let failed: string | undefined;
  let last = 0;
  const show = (force: boolean) => {
    if (!force && Date.now() - last < PROGRESS_MS) return;
    last = Date.now();
    const parts = [...layers.values()];
    ctx.parts(parts.map((p) => ({ ...p })));
    ctx.progress({ done: parts.reduce((n, p) => n + p.done, 0), total: parts.reduce((n, p) => n + p.total, 0), unit: "bytes" });
  };
  return new Promise<string>((resolve, reject) => {
    docker().modem.followProgress(
      stream,
      (err: unknown) => {
        show(true);
        if (err || failed) reject(new AppError("failed:push", failed ?? dockerMessage(err)));
        else if (!digest) reject(new AppError("failed:push", "the engine did not say the pushed manifest's digest"));
        else resolve(digest);
      },
      (e: PushEvent) => {
        if (e.error) failed ??= e.error;
        if (e.aux?.Digest) digest = e.aux.Digest;
        if (!e.id || !e.status || !/^[0-9a-f]{12}$/.test(e.id)) return;
        const fresh = !layers.has(e.id);
        const part = layers.get(e.id) ?? { name: e.id, state: e.status, done: 0, total: 0 };
        part.state = e.status;
        if (e.progressDetail?.total) part.total = e.progressDetail.total;
        if (e.progressDetail?.current !== undefined) part.done = Math.min(e.progressDetail.current, part.total || Infinity);
        if (/^Pushed/.test(e.status)) part.done = part.total;
        layers.set(e.id, part);
        show(fresh || !/^Pushing/.test(e.status));
      },
    );
  });
}

/**
 * Create Tar's last step with a registry configured: starts the push of the version it published
 * and says so in a sentence for its message (empty without a registry). Never throws: the
 * tarball is the contract, a push that cannot start is recorded on the version instead.
 */
export async function pushAfterCreateTar(file: string, image: string): Promise<string> {
  const s = getConfig().registry;
  if (!s) return "";
  try {
    await startPush(file, image);
    return ` Pushing it to ${s.host}.`;
  } catch (err) {
    const reason = registryReason(err).replace(/\.$/, "");
    recordPush(file, { ref: registryRef(file).ref, error: reason });
    return ` Not in the registry: ${reason}.`;
  }
}

/**
 * For a push the restart interrupted: the registry tag it put on the Host's image goes (the image
 * keeps its other tags), and the version records why it is not in the registry.
 */
export async function undoInterruptedPush(job: Job<"push">): Promise<void> {
  const ref = job.about?.ref;
  if (ref) await removeImageTag(ref);
  if (ref) recordPush(job.target, { ref, error: "the dashboard stopped while it was pushed" });
}
