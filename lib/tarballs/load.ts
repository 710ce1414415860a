import "server-only";
import { constants } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { getFlavor } from "@/lib/config";
import { docker } from "@/lib/docker/client";
import { dockerMessage } from "@/lib/docker/errors";
import { inspectImage, tagImage } from "@/lib/docker/images";
import { AppError } from "@/lib/shared/errors";
import { parseTarballName } from "@/lib/shared/tarball-names";
import type { CreateEvent } from "@/lib/shared/containers";
import { versionFile } from "./store";
import { TarStream, gunzipFile, type StreamMember } from "./archive";
import { readImageDetails } from "./image-config";
import { readSave } from "./save";
import { BLOCK, fileHeader, padded } from "./tar";
import { recordVersionTag } from "./version-tags";

/**
 * Going back to a version: its tar is loaded into the Host's engine under a tag of its own,
 * `<repo>:v<timestamp>` — never `<repo>:base`. `docker load` gives an image the tags its
 * manifest.json names (here `<repo>:base`, which would move the base tag of the newest version
 * to an old image — or, in a crafted file, any tag on the Host), so the engine is given a stream
 * made here: a manifest.json naming only the version tag, and the image's config and layers byte
 * for byte (the engine still checks their digests). After the load, the tag must hold the image
 * Details describe.
 */
const CHUNK = 1024 * 1024;

/** The tag a version is loaded under: `hakuriver/<env>:v<timestamp>`. */
export function versionImage(file: string): { repo: string; tag: string; ref: string } {
  const parsed = parseTarballName(file);
  if (!parsed) throw new AppError("bad_request:tarball", "Not a tarball file name (expected <name>-<timestamp>.tar).");
  const { repo } = getFlavor().baseImage(parsed.env.toLowerCase());
  const tag = `v${parsed.timestamp}`;
  return { repo, tag, ref: `${repo}:${tag}` };
}

/** What goes to the engine: the one image's config and layers (each member once), under names of our own. */
interface LoadPlan {
  manifest: Buffer;
  parts: { name: string; member: StreamMember }[];
  bytes: number;
  gzip: boolean;
}

/**
 * The image to load, from the archive's one manifest entry docker load would give the Runners' tag
 * (save.ts: the last that names it), and a manifest.json of our own naming only `ref`. Nothing else
 * of the archive reaches the engine — no manifest.json, `repositories` or `index.json` of its own,
 * whatever names or links disguise them — so no other tag can be made or moved. A layer repeated
 * (by links) is sent once and named twice.
 */
async function loadPlan(handle: fs.FileHandle, size: number, file: string, ref: string): Promise<LoadPlan> {
  const { index, images, chosen, problem } = await readSave(handle, size, file);
  if (!index || chosen === undefined || problem) throw new AppError("bad_request:tarball", `${path.basename(file)} cannot be loaded: ${problem ?? "no image in it"}`);
  const image = images[chosen];
  const config = typeof image.Config === "string" ? index.table.file(image.Config) : undefined;
  const layers = (Array.isArray(image.Layers) ? image.Layers : []).map((l: unknown) => (typeof l === "string" ? index.table.file(l) : undefined));
  if (!config || layers.some((l) => !l)) throw new AppError("bad_request:tarball", `${path.basename(file)} cannot be loaded: a file manifest.json names is not in it.`);
  const byOffset = new Map<number, { name: string; member: StreamMember }>();
  const nameOf = (member: StreamMember, name: string) => {
    if (!byOffset.has(member.offset)) byOffset.set(member.offset, { name, member });
    return byOffset.get(member.offset)!.name;
  };
  const configName = nameOf(config, "config.json");
  const layerNames = layers.map((member, i) => nameOf(member!, `layer-${i + 1}.tar`));
  const manifest = Buffer.from(JSON.stringify([{ Config: configName, RepoTags: [ref], Layers: layerNames }]));
  const parts = [...byOffset.values()];
  return { manifest, parts, bytes: parts.reduce((n, p) => n + p.member.size, 0), gzip: index.compression === "gzip" };
}

const padding = (size: number) => Buffer.alloc(padded(size) - size);

/** The tar stream of a plan from a plain tar: our manifest.json, then each part's bytes read by position. */
async function* planStream(handle: fs.FileHandle, plan: LoadPlan, onBytes: (n: number) => void): AsyncGenerator<Buffer> {
  yield Buffer.concat([fileHeader("manifest.json", plan.manifest.length), plan.manifest, padding(plan.manifest.length)]);
  let done = 0;
  for (const { name, member } of plan.parts) {
    yield fileHeader(name, member.size);
    for (let at = 0; at < member.size; ) {
      const want = Math.min(CHUNK, member.size - at);
      const buf = Buffer.allocUnsafe(want);
      const { bytesRead: n } = await handle.read(buf, 0, want, member.offset + at);
      if (n === 0) throw new AppError("bad_request:tarball", `The file ends inside ${member.name}: it was cut short.`);
      at += n;
      done += n;
      yield buf.subarray(0, n);
      onBytes(done);
    }
    yield padding(member.size);
  }
  // The end-of-archive marker.
  yield Buffer.alloc(2 * BLOCK);
  onBytes(plan.bytes);
}

/**
 * The same stream from a gzip'd tar: decompressed once, front to back, each planned member passed
 * on as it goes by (in the archive's order: docker load reads manifest.json after extracting).
 */
function gzipPlanStream(handle: fs.FileHandle, plan: LoadPlan, onBytes: (n: number) => void): Readable {
  const out = new PassThrough();
  const wanted = new Map(plan.parts.map((p) => [p.member.offset, p.name]));
  let done = 0;
  out.write(Buffer.concat([fileHeader("manifest.json", plan.manifest.length), plan.manifest, padding(plan.manifest.length)]));
  const stream = new TarStream({
    keepTotal: 0,
    onMember: (m) => {
      const name = wanted.get(m.offset);
      if (name !== undefined) out.write(fileHeader(name, m.size));
      return name !== undefined;
    },
    onBody: (_m, chunk) => {
      out.write(Buffer.from(chunk));
      done += chunk.length;
      onBytes(done);
    },
    onMemberEnd: (m) => void out.write(padding(m.size)),
  });
  const sink = (chunk: Buffer) => {
    if (!stream.ended && !stream.broken) stream.feed(chunk);
    return out.writableNeedDrain ? new Promise<void>((r) => out.once("drain", r)) : undefined;
  };
  gunzipFile(handle, sink).then(
    (problem) => {
      const bad = problem ?? stream.problems[0] ?? stream.endProblem();
      if (bad) out.destroy(new AppError("bad_request:tarball", bad));
      else out.end(Buffer.alloc(2 * BLOCK));
    },
    (err: Error) => out.destroy(err),
  );
  return out;
}

/** Refuses (400/404) a file that is not a listed version or whose manifest and config cannot be read. */
export async function checkLoadable(file: string): Promise<void> {
  const { path: target } = await versionFile(file);
  const details = await readImageDetails(target);
  if (details.problem) throw new AppError("bad_request:tarball", `${file} cannot be loaded: ${details.problem}`);
}

/**
 * Loads a version into the Host's engine as `<repo>:v<timestamp>` (reusing that tag when it already
 * holds this version's image) and returns the reference. The `<repo>:base` tag is checked before
 * and after: it is never moved or removed, whatever the archive says.
 */
export async function loadVersion(file: string, onEvent: (event: CreateEvent) => void, signal?: AbortSignal): Promise<string> {
  const { path: target } = await versionFile(file);
  const { repo, tag, ref } = versionImage(file);
  const details = await readImageDetails(target);
  if (details.problem) throw new AppError("bad_request:tarball", `${file} cannot be loaded: ${details.problem}`);
  const base = getFlavor().baseImage(parseTarballName(file)!.env.toLowerCase()).ref;
  const baseBefore = await inspectImage(base);

  const present = await inspectImage(ref);
  if (present && details.imageId && present.id === details.imageId) {
    onEvent({ type: "status", step: "loading", message: `Image ${ref} is present locally` });
    return ref;
  }

  onEvent({ type: "status", step: "loading", message: `Loading ${file} as ${ref}` });
  const handle = await fs.open(target, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const { size } = await handle.stat();
    const plan = await loadPlan(handle, size, target, ref);
    let last = 0;
    const progress = (n: number) => {
      const now = Date.now();
      if (now - last < 150 && n < plan.bytes) return;
      last = now;
      onEvent({ type: "pull", layers: [{ id: "load", status: `Loading ${file}`, current: n, total: plan.bytes }] });
    };
    const body = plan.gzip ? gzipPlanStream(handle, plan, progress) : Readable.from(planStream(handle, plan, progress), { objectMode: false });
    const onAbort = () => body.destroy(new AppError("failed:cancelled", `Loading ${file} was cancelled.`));
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const stream = (await docker().loadImage(body, { quiet: true } as object)) as NodeJS.ReadableStream;
      await new Promise<void>((resolve, reject) => {
        let streamError: string | undefined;
        docker().modem.followProgress(
          stream,
          (err: unknown) => (err ? reject(err) : streamError ? reject(new Error(streamError)) : resolve()),
          (event: { error?: string }) => {
            if (event.error) streamError ??= event.error;
          },
        );
      });
    } catch (err) {
      if (signal?.aborted) throw new AppError("failed:cancelled", `Loading ${file} was cancelled.`);
      throw err instanceof AppError ? err : new AppError("failed:image", `Could not load ${file}: ${dockerMessage(err)}`, { cause: err });
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  } finally {
    await handle.close();
  }
  // Belt and braces: whatever the engine did, the base tag stays where it was.
  const baseAfter = await inspectImage(base);
  if (baseBefore && baseAfter?.id !== baseBefore.id) {
    const [baseRepo, baseTag] = [base.slice(0, base.lastIndexOf(":")), base.slice(base.lastIndexOf(":") + 1)];
    await tagImage(baseBefore.id, baseRepo, baseTag);
  }
  const loaded = await inspectImage(ref);
  if (!loaded) throw new AppError("failed:image", `Loading ${file} did not produce ${repo}:${tag}.`);
  // Ours from here on, whatever follows: the clean-up may remove it once no container uses it.
  recordVersionTag(ref);
  if (details.imageId && loaded.id !== details.imageId) {
    throw new AppError("failed:image", `Loading ${file} gave ${repo}:${tag} the image ${loaded.id}, not the ${details.imageId} its Details describe.`);
  }
  return ref;
}
