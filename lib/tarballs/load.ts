import "server-only";
import { constants } from "node:fs";
import fs from "node:fs/promises";
import { Readable } from "node:stream";
import { getFlavor } from "@/lib/config";
import { docker } from "@/lib/docker/client";
import { dockerMessage } from "@/lib/docker/errors";
import { inspectImage, tagImage } from "@/lib/docker/images";
import { AppError } from "@/lib/shared/errors";
import { parseTarballName } from "@/lib/shared/tarball-names";
import type { CreateEvent } from "@/lib/shared/containers";
import { readImageDetails } from "./image-config";
import { versionFile } from "./store";
import { BLOCK, fileHeader, isZeroBlock, memberName, padded, parseHeader } from "./tar";
import { recordVersionTag } from "./version-tags";

/**
 * Going back to a version: its tar is loaded into the Host's engine under a tag of its own,
 * `<repo>:v<timestamp>` — never `<repo>:base`. `docker load` gives an image the tags its
 * manifest.json names (here `<repo>:base`, which would move the base tag of the newest version
 * to an old image), so the archive is streamed to the engine with manifest.json rewritten to name
 * only the version tag and the legacy `repositories` file left out. Nothing else changes: the
 * layers and the config pass through byte for byte, and the engine still checks their digests.
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

/** The archive's bytes with manifest.json naming only `ref` and without `repositories`. */
async function* retagged(handle: fs.FileHandle, size: number, ref: string, onBytes: (n: number) => void): AsyncGenerator<Buffer> {
  let pos = 0;
  const header = Buffer.alloc(BLOCK);
  while (pos < size) {
    const { bytesRead } = await handle.read(header, 0, BLOCK, pos);
    if (bytesRead < BLOCK) throw new AppError("bad_request:tarball", `The file ends inside a tar header at byte ${pos}: it was cut short.`);
    if (isZeroBlock(header)) break;
    const h = parseHeader(header);
    if (!h) throw new AppError("bad_request:tarball", `Damaged tar header at byte ${pos}; run Verify for details.`);
    const name = memberName(h.name);
    const total = BLOCK + padded(h.size);
    if (name === "repositories") {
      pos += total;
      continue;
    }
    if (name === "manifest.json" && h.type === "0") {
      const body = Buffer.alloc(h.size);
      await handle.read(body, 0, h.size, pos + BLOCK);
      const manifest = JSON.parse(body.toString("utf8")) as { RepoTags?: string[] }[];
      for (const image of manifest) image.RepoTags = [ref];
      const out = Buffer.from(JSON.stringify(manifest));
      yield Buffer.concat([fileHeader("manifest.json", out.length), out, Buffer.alloc(padded(out.length) - out.length)]);
    } else {
      yield Buffer.from(header);
      for (let at = pos + BLOCK; at < pos + total; ) {
        const want = Math.min(CHUNK, pos + total - at);
        const buf = Buffer.allocUnsafe(want);
        const { bytesRead: n } = await handle.read(buf, 0, want, at);
        if (n === 0) throw new AppError("bad_request:tarball", `The file ends inside ${name}: it was cut short.`);
        at += n;
        yield buf.subarray(0, n);
        onBytes(at);
      }
    }
    pos += total;
    onBytes(pos);
  }
  // The end-of-archive marker.
  yield Buffer.alloc(2 * BLOCK);
  onBytes(size);
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
    onEvent({ type: "status", message: `Image ${ref} is present locally` });
    return ref;
  }

  onEvent({ type: "status", message: `Loading ${file} as ${ref}` });
  const handle = await fs.open(target, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const { size } = await handle.stat();
    let last = 0;
    const progress = (n: number) => {
      const now = Date.now();
      if (now - last < 150 && n < size) return;
      last = now;
      onEvent({ type: "pull", layers: [{ id: "load", status: `Loading ${file}`, current: n, total: size }] });
    };
    const body = Readable.from(retagged(handle, size, ref, progress), { objectMode: false });
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
  if (!(await inspectImage(ref))) throw new AppError("failed:image", `Loading ${file} did not produce ${repo}:${tag}.`);
  recordVersionTag(ref);
  return ref;
}
