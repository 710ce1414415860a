import "server-only";
import { constants } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { AppError } from "@/lib/shared/errors";
import zlib from "node:zlib";
import type { RunnerContract } from "@/lib/shared/tarballs";
import { ArchiveError, TarStream, cleanMemberName, fileCompression, type MemberTable, type StreamMember } from "./archive";
import { compressionProblem, ociLayoutProblem, parseManifest, runnerContract, runnerImageIndex, runnerTagOf, tagsOf, type ManifestImage } from "./save";

/**
 * Verify: reads a version once, front to back, as a Runner's `docker load` would need it — a
 * well-formed tar, manifest.json and the image config present, the config's sha256 equal to its
 * name, every layer's sha256 equal to the config's `rootfs.diff_ids` — and the whole file's sha256
 * on the way (hashed in a worker thread, so it costs no time on the event loop and runs beside the
 * layer hashes on another core). Both `docker save` layouts: `<id>/layer.tar` (Docker ≤ 24, with
 * symlinks for repeated layers) and OCI `blobs/sha256/<digest>` (Docker 25+).
 */
const CHUNK = 4 * 1024 * 1024;
const MAX_AHEAD = 8;

export interface VerifyOutcome {
  ok: boolean;
  sha256?: string;
  problems: string[];
  summary?: string;
  /** Whether a Runner can use the file, when its images could be read. */
  contract?: RunnerContract;
}

const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const hash = require("node:crypto").createHash("sha256");
parentPort.on("message", (m) => {
  if (m === "end") parentPort.postMessage({ sha256: hash.digest("hex") });
  else { hash.update(new Uint8Array(m.buffer, 0, m.length)); parentPort.postMessage({ ack: m.buffer }, [m.buffer]); }
});`;

/**
 * The whole file's sha256, computed in a worker from the chunks the verifier reads. Each chunk's
 * memory is transferred there and back, never copied, and read into again: a fresh 4 MiB buffer per
 * chunk cost the kernel a page fault and zeroing per 4 KiB, and the collector its external memory.
 */
function fileHasher() {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  const free: ArrayBuffer[] = [];
  let pending = 0;
  let wake: (() => void) | undefined;
  let done: ((hex: string) => void) | undefined;
  let failed: Error | undefined;
  worker.on("message", (m: { ack?: ArrayBuffer; sha256?: string }) => {
    if (m.ack) {
      pending--;
      free.push(m.ack);
      wake?.();
    } else if (m.sha256) done?.(m.sha256);
  });
  worker.on("error", (err) => {
    failed = err;
    wake?.();
  });
  return {
    /** A buffer to read a chunk into: one the worker gave back, else a new one of its own (unpooled, so it can be transferred). */
    buffer: () => {
      const back = free.pop();
      return back ? Buffer.from(back) : Buffer.allocUnsafeSlow(CHUNK);
    },
    async push(chunk: Buffer) {
      while (pending >= MAX_AHEAD && !failed) await new Promise<void>((r) => (wake = r));
      if (failed) throw failed;
      pending++;
      worker.postMessage({ buffer: chunk.buffer, length: chunk.length }, [chunk.buffer as ArrayBuffer]);
    },
    digest: () =>
      new Promise<string>((resolve) => {
        done = resolve;
        worker.postMessage("end");
      }).finally(() => void worker.terminate()),
    stop: () => void worker.terminate(),
  };
}

const short = (hex: string) => `${hex.slice(0, 12)}…`;

/** Reads the file in chunks (one read ahead), each to `take` and then to the whole-file hasher. */
async function readChunks(handle: fs.FileHandle, hasher: ReturnType<typeof fileHasher>, take: (chunk: Buffer) => void | Promise<void>, options: VerifyOptions): Promise<number> {
  const read = (at: number) => {
    const buf = hasher.buffer();
    return handle.read(buf, 0, CHUNK, at).then(({ bytesRead }) => buf.subarray(0, bytesRead));
  };
  let pos = 0;
  let ahead = read(0);
  for (;;) {
    if (options.signal?.aborted) throw new AppError("failed:cancelled", "Cancelled.");
    const chunk = await ahead;
    if (chunk.length === 0) break;
    ahead = read(pos + chunk.length);
    await take(chunk);
    pos += chunk.length;
    // The worker takes the chunk's memory over (and gives it back): nothing here touches it after this.
    await hasher.push(chunk);
    options.onBytes?.(pos);
  }
  return pos;
}

interface VerifyOptions {
  signal?: AbortSignal;
  onBytes?: (n: number) => void;
}

/**
 * A gzip'd archive: the file's chunks go through zlib (in step, bounded) to the tar reader. A write
 * settles once zlib has taken the whole chunk, so the chunk can then be handed to the whole-file
 * hasher without a copy; zlib's output comes in 1 MiB pieces (its default, 16 KiB, costs a round
 * trip through the stream machinery per 16 KiB).
 */
function gunzipInto(stream: TarStream) {
  const gunzip = zlib.createGunzip({ chunkSize: 1024 * 1024 });
  let failed: string | undefined;
  gunzip.on("data", (c: Buffer) => !stream.ended && !stream.broken && stream.feed(c));
  gunzip.on("error", (err) => (failed = `The gzip stream is damaged or cut short (${err.message}).`));
  return {
    write: (chunk: Buffer) => (failed ? undefined : new Promise<void>((r) => gunzip.write(chunk, () => r()))),
    end: () =>
      new Promise<string | undefined>((resolve) => {
        if (failed) return resolve(failed);
        gunzip.once("end", () => resolve(failed));
        gunzip.once("error", () => resolve(failed));
        gunzip.end();
      }),
  };
}

/**
 * Verifies one archive; never throws for what is in the file (that is the outcome's `problems`),
 * only for cancellation (`failed:cancelled`) and for a file that cannot be opened. A gzip'd archive
 * is read through zlib (the whole-file sha256 is of the file as it is).
 */
export async function verifyArchive(file: string, options: VerifyOptions = {}): Promise<VerifyOutcome> {
  const handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  const hasher = fileHasher();
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { ok: false, problems: [`${path.basename(file)} is not a regular file.`] };
    const compression = await fileCompression(handle);
    const stream = new TarStream({ hash: true });
    const gunzip = compression === "gzip" ? gunzipInto(stream) : undefined;
    const readable = !compression || gunzip;
    const size = await readChunks(handle, hasher, (chunk) => (gunzip ? gunzip.write(chunk) : readable && !stream.ended && !stream.broken ? stream.feed(chunk) : undefined), options);
    const sha256 = await hasher.digest();
    if (!readable) return { ok: false, sha256, problems: [await compressionProblem(compression!)] };
    const gzipProblem = await gunzip?.end();
    const problems = [...stream.problems];
    const cut = gzipProblem ?? stream.endProblem();
    if (cut) problems.push(size === 0 ? "The file is empty." : cut);
    if (stream.broken && size === 0) return { ok: false, sha256, problems };
    // A file cut short lacks what came after the cut; listing each missing piece says nothing more.
    const image = problems.length > 0 ? undefined : await checkImage(stream.members, file);
    if (image) problems.push(...image.problems);
    const summary = image?.summary && compression === "gzip" ? `gzip'd; ${image.summary}` : image?.summary;
    return problems.length === 0 ? { ok: true, sha256, problems, summary, contract: image?.contract } : { ok: false, sha256, problems, contract: image?.contract };
  } finally {
    hasher.stop();
    await handle.close();
  }
}

/** One manifest entry's checks: its config's digest, and every layer's sha256 against rootfs.diff_ids. */
function checkOneImage(members: MemberTable<StreamMember>, image: ManifestImage, which: string, problems: string[]): { layers: number; created?: string } {
  const The = which ? `${which}the` : "The";
  const configName = typeof image.Config === "string" ? cleanMemberName(image.Config) : undefined;
  const config = configName ? members.file(configName) : undefined;
  if (!configName || !config) {
    problems.push(`${The} image config ${configName ?? "(none named)"} named in manifest.json is not in the archive.`);
    return { layers: 0 };
  }
  const expected = /([0-9a-f]{64})(?:\.json)?$/.exec(configName)?.[1];
  if (expected && config.sha256 !== expected) problems.push(`${The} image config ${configName} has sha256 ${config.sha256}, not the digest its name says: its content changed.`);
  let parsed: { created?: unknown; rootfs?: { diff_ids?: unknown } };
  try {
    parsed = JSON.parse(config.data?.toString("utf8") ?? "");
  } catch {
    problems.push(`${The} image config ${configName} is not valid JSON.`);
    return { layers: 0 };
  }
  const diffIds = Array.isArray(parsed.rootfs?.diff_ids) ? (parsed.rootfs.diff_ids as string[]) : [];
  const layers = Array.isArray(image.Layers) ? (image.Layers as string[]) : [];
  if (layers.length !== diffIds.length) problems.push(`${which ? `${which}manifest.json` : "manifest.json"} names ${layers.length} layers but the image config lists ${diffIds.length} (rootfs.diff_ids).`);
  let checked = 0;
  layers.forEach((layerName, i) => {
    const label = `${which ? `${which}layer` : "Layer"} ${i + 1} of ${layers.length} (${cleanMemberName(String(layerName))})`;
    const layer = members.file(cleanMemberName(String(layerName)));
    const want = diffIds[i]?.replace(/^sha256:/, "");
    if (!layer) problems.push(`${label} is named in manifest.json but is not in the archive.`);
    else if (want && layer.sha256 !== want) problems.push(`${label} has sha256 ${short(layer.sha256 ?? "")}, but the image config expects ${short(want)} (rootfs.diff_ids[${i}]): its content changed.`);
    else checked++;
  });
  return { layers: checked, created: typeof parsed.created === "string" ? parsed.created : undefined };
}

/** The image checks, once every member is hashed: each image of manifest.json, and the Runner contract. */
async function checkImage(members: MemberTable<StreamMember>, file: string): Promise<{ problems: string[]; summary?: string; contract?: RunnerContract }> {
  const manifestMember = members.file("manifest.json");
  if (!manifestMember) return { problems: [members.members.has("oci-layout") || members.members.has("index.json") ? await ociLayoutProblem() : "manifest.json is not in the archive: docker load cannot load it."] };
  let manifest: ManifestImage[];
  try {
    if (!manifestMember.data) throw new ArchiveError("manifest.json is too large to read.");
    manifest = parseManifest(manifestMember.data.toString("utf8"));
  } catch (err) {
    return { problems: [(err as Error).message] };
  }
  const problems: string[] = [];
  const onTag = runnerImageIndex(manifest, runnerTagOf(file));
  let layersChecked = 0;
  let created: string | undefined;
  manifest.forEach((image, n) => {
    const tags = tagsOf(image);
    const which = manifest.length > 1 ? `image ${n + 1} (${tags.join(", ") || "no tag"}): ` : "";
    const one = checkOneImage(members, image, which, problems);
    layersChecked += one.layers;
    if (n === onTag) created = one.created;
  });
  const images = manifest.length > 1 ? `${manifest.length} images, each with ` : "";
  const summary = `Well-formed tar; manifest.json and ${images}the image config present; the config's sha256 matches its name; ${layersChecked} layer${layersChecked === 1 ? "" : "s"} match rootfs.diff_ids.`;
  return { problems, summary, contract: runnerContract(file, manifest, created) };
}
