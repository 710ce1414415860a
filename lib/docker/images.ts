import "server-only";
import { AppError } from "@/lib/shared/errors";
import { canonicalTags } from "@/lib/shared/image-refs";
import { parseImageReference } from "@/lib/shared/validation";
import { docker } from "./client";
import { dockerMessage, fromDockerError, isUnreachable, pullHint, unreachableError } from "./errors";
import type { CreateEvent, LayerProgress } from "@/lib/shared/containers";

const PROGRESS_INTERVAL_MS = 150;

interface PullEvent {
  id?: string;
  status?: string;
  error?: string;
  progressDetail?: { current?: number; total?: number };
}

/** Whether the engine has an image under this reference. */
export async function imageExists(ref: string): Promise<boolean> {
  return (await inspectImage(ref)) !== undefined;
}

/** The normalized reference (`:latest` added when no tag is given, since an untagged pull fetches every tag). */
export function normalizedImage(input: string): string {
  const parsed = parseImageReference(input);
  if (!parsed) throw new AppError("bad_request:image", `${input} is not a valid image reference.`);
  return parsed.normalized;
}

/**
 * Makes sure `input` is present locally, pulling it when it is not, and returns the normalized
 * reference and whether this call pulled it (so a cancelled creation can take the tag away again).
 * Layer progress is reported at most every PROGRESS_INTERVAL_MS, and once more at the end.
 */
export async function ensureImage(input: string, onEvent: (event: CreateEvent) => void, signal?: AbortSignal): Promise<{ ref: string; pulled: boolean }> {
  const ref = normalizedImage(input);
  if (await imageExists(ref)) {
    onEvent({ type: "status", step: "pulling", message: `Image ${ref} is present locally` });
    return { ref, pulled: false };
  }
  onEvent({ type: "status", step: "pulling", message: `Pulling ${ref}` });
  try {
    await pullImage(ref, (layers) => onEvent({ type: "pull", layers }), signal);
  } catch (err) {
    // Cancelled as the pull ended: the engine may have tagged the image anyway. Then it is this
    // creation's to undo, as a pull that finished.
    if (signal?.aborted && (await taggedAfterAbort(ref))) return { ref, pulled: true };
    throw err;
  }
  return { ref, pulled: true };
}

/** Waits a moment after its request to pull `ref` was aborted (the engine notices the closed request shortly after it) and tells whether the tag was made anyway. */
async function taggedAfterAbort(ref: string): Promise<boolean> {
  for (const ms of [250, 750]) {
    await new Promise((r) => setTimeout(r, ms));
    if (await imageExists(ref).catch(() => false)) return true;
  }
  return false;
}

/** One sentence: what failed with Docker's own words (once), then what it likely means. */
function pullError(ref: string, said: string, cause: unknown): AppError {
  const registry = parseImageReference(ref)?.domain ?? "Docker Hub";
  const hint = pullHint(said, registry);
  return new AppError("failed:pull", `Could not pull ${ref}: ${said}${hint ? ` — ${hint}` : ""}`, { cause });
}

/**
 * Pulls an image, reporting per-layer progress snapshots. Rejects with a readable reason — the
 * registry's own words ("connection refused", "manifest unknown", …). `signal` aborts the pull: the
 * engine stops it when its request goes away, and no tag is made.
 */
export async function pullImage(ref: string, onProgress: (layers: LayerProgress[]) => void, signal?: AbortSignal): Promise<void> {
  const cancelled = () => new AppError("failed:cancelled", `Pulling ${ref} was cancelled.`);
  const pullFailed = (err: unknown) =>
    signal?.aborted
      ? cancelled()
      : isUnreachable(err)
      ? unreachableError(err)
      : pullError(ref, dockerMessage(err), err);

  let stream: NodeJS.ReadableStream;
  try {
    if (signal?.aborted) throw cancelled();
    stream = await docker().pull(ref, { abortSignal: signal });
  } catch (err) {
    throw pullFailed(err);
  }

  const layers = new Map<string, LayerProgress>();
  let lastSent = 0;
  const send = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastSent < PROGRESS_INTERVAL_MS) return;
    lastSent = now;
    onProgress([...layers.values()].map((l) => ({ ...l })));
  };

  // The engine reports a failed pull inside the stream ({"error": …}), not as an HTTP status.
  let streamError: string | undefined;
  await new Promise<void>((resolve, reject) => {
    docker().modem.followProgress(
      stream,
      (err: unknown) => {
        send(true);
        if (err) reject(pullFailed(err));
        else if (streamError) reject(pullFailed(new Error(streamError)));
        else resolve();
      },
      (event: PullEvent) => {
        if (event.error) {
          streamError ??= event.error;
          return;
        }
        // Events without a layer id are about the whole image ("Digest: …", "Pulling from …").
        if (!event.id || !event.status || event.status.startsWith("Pulling from")) return;
        const detail = event.progressDetail ?? {};
        const previous = layers.get(event.id);
        const complete = /^(Download complete|Pull complete|Already exists)/.test(event.status);
        const total = detail.total ?? previous?.total;
        layers.set(event.id, {
          id: event.id,
          status: event.status,
          current: detail.current ?? (complete ? total : previous?.current),
          total,
        });
        // A new phase (Downloading → Extracting → Pull complete) goes out at once; byte counts are throttled.
        send(previous?.status.split(" ")[0] !== event.status.split(" ")[0]);
      },
    );
  });
}

/** ID, size and creation time (Docker's `Created`) of an image, or undefined when it does not exist. */
export async function inspectImage(ref: string): Promise<{ id: string; size: number; created: string } | undefined> {
  try {
    const info = await docker().getImage(ref).inspect();
    return { id: info.Id, size: info.Size, created: info.Created };
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw fromDockerError(err, { kind: "image", name: ref });
  }
}

/**
 * Commits a container's file system to a new image and tags it `repo:tag`. Docker pauses a
 * running container for the commit and resumes it; a stopped one stays stopped.
 * `changes` are Dockerfile instructions applied to the image config.
 */
export async function commitContainer(container: string, repo: string, tag: string, changes: string[] = [], comment?: string): Promise<string> {
  try {
    const result = (await docker().getContainer(container).commit({ repo, tag, pause: true, changes, ...(comment ? { comment } : {}) })) as { Id: string };
    return result.Id;
  } catch (err) {
    throw fromDockerError(err, { kind: "container", name: container });
  }
}

export async function tagImage(id: string, repo: string, tag: string): Promise<void> {
  try {
    await docker().getImage(id).tag({ repo, tag });
  } catch (err) {
    throw fromDockerError(err, { kind: "image", name: id });
  }
}

/** `docker save` of one image as a stream (GET /images/{name}/get), for a Runner's `docker load`. */
export async function exportImage(ref: string): Promise<NodeJS.ReadableStream> {
  try {
    return await docker().getImage(ref).get();
  } catch (err) {
    throw fromDockerError(err, { kind: "image", name: ref });
  }
}

/**
 * Removes an image this dashboard made, but only if no container uses it and no tag points to
 * it any more. Never forces: anything else's image stays.
 */
export async function removeImageIfUnused(id: string): Promise<boolean> {
  try {
    const info = await docker().getImage(id).inspect();
    if (canonicalTags(info.RepoTags).length > 0) return false;
    const users = await docker().listContainers({ all: true, filters: { ancestor: [id] } });
    if (users.length > 0) return false;
    await docker().getImage(id).remove({ noprune: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes one tag (and the image, if nothing else refers to it). Never forces: a tag whose image a
 * container uses stays ("in use"). Other refusals throw, with Docker's reason.
 */
export async function untagImage(ref: string): Promise<"removed" | "absent" | "in use"> {
  try {
    await docker().getImage(ref).remove({ noprune: true });
    return "removed";
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 404) return "absent";
    if (status === 409) return "in use";
    throw fromDockerError(err, { kind: "image", name: ref });
  }
}

/** `untagImage`, best effort: false unless the tag was removed. */
export async function removeImageTag(ref: string): Promise<boolean> {
  return untagImage(ref).then((r) => r === "removed", () => false);
}

/**
 * What a commit of this container is made from: its image (as created) with that image's labels,
 * and the size of all its files (`SizeRootFs`, which `docker save` of the commit is about as large as).
 */
export async function containerImageInfo(container: string): Promise<{ image: string; labels: Record<string, string>; sizeRootFs?: number }> {
  try {
    const info = (await docker().getContainer(container).inspect({ size: true } as object)) as unknown as {
      Config: { Image: string };
      Image: string;
      SizeRootFs?: number;
    };
    const image = await docker().getImage(info.Image).inspect().catch(() => undefined);
    return { image: info.Config.Image, labels: image?.Config?.Labels ?? {}, sizeRootFs: info.SizeRootFs };
  } catch (err) {
    throw fromDockerError(err, { kind: "container", name: container });
  }
}

/**
 * The image references on the Host, for the Create New Container typeahead: every `repo:tag` in
 * canonical form (lib/shared/image-refs.ts; no dangling `<none>`), most recently created first, without this dashboard's own environment
 * images (`<flavour>/<name>:base`), which are what Create Tar writes, not bases to start from.
 */
export async function listLocalImageRefs(ownRepoPrefix: string): Promise<string[]> {
  try {
    const images = await docker().listImages();
    // In one form (Podman lists `docker.io/library/busybox:latest` and `localhost/x:1`), each once.
    const refs = images.sort((a, b) => b.Created - a.Created).flatMap((i) => canonicalTags(i.RepoTags));
    return [...new Set(refs)].filter((t) => !t.startsWith(ownRepoPrefix));
  } catch (err) {
    throw fromDockerError(err, { kind: "image", name: "list" });
  }
}
