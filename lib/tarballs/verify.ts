import "server-only";
import { createHash, type Hash } from "node:crypto";
import { constants } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { AppError } from "@/lib/shared/errors";
import { ArchiveError, HeaderSequence, MAX_META, MemberTable, checkMetaSize, cleanMemberName, type ArchiveMember } from "./archive";
import { BLOCK, isZeroBlock, padded, parseHeader, type TarHeader } from "./tar";

/**
 * Verify: reads a version once, front to back, as a Runner's `docker load` would need it — a
 * well-formed tar, manifest.json and the image config present, the config's sha256 equal to its
 * name, every layer's sha256 equal to the config's `rootfs.diff_ids` — and the whole file's sha256
 * on the way (hashed in a worker thread, so it costs no time on the event loop and runs beside the
 * layer hashes on another core). Both `docker save` layouts: `<id>/layer.tar` (Docker ≤ 24, with
 * symlinks for repeated layers) and OCI `blobs/sha256/<digest>` (Docker 25+).
 */
const CHUNK = 4 * 1024 * 1024;
const KEEP_JSON = 4 * 1024 * 1024;
/** At most this much of small members is kept for the image checks, whatever the archive holds. */
const KEEP_TOTAL = 16 * 1024 * 1024;
const MAX_AHEAD = 8;

export interface VerifyOutcome {
  ok: boolean;
  sha256?: string;
  problems: string[];
  summary?: string;
}

interface Member extends ArchiveMember {
  sha256?: string;
  data?: Buffer;
}

const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const hash = require("node:crypto").createHash("sha256");
parentPort.on("message", (m) => {
  if (m === "end") parentPort.postMessage({ sha256: hash.digest("hex") });
  else { hash.update(new Uint8Array(m)); parentPort.postMessage({ ack: true }); }
});`;

/** The whole file's sha256, computed in a worker from the chunks the verifier reads (transferred, not copied). */
function fileHasher() {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  let pending = 0;
  let wake: (() => void) | undefined;
  let done: ((hex: string) => void) | undefined;
  let failed: Error | undefined;
  worker.on("message", (m: { ack?: boolean; sha256?: string }) => {
    if (m.ack) {
      pending--;
      wake?.();
    } else if (m.sha256) done?.(m.sha256);
  });
  worker.on("error", (err) => {
    failed = err;
    wake?.();
  });
  return {
    async push(chunk: ArrayBuffer) {
      while (pending >= MAX_AHEAD && !failed) await new Promise<void>((r) => (wake = r));
      if (failed) throw failed;
      pending++;
      worker.postMessage(chunk, [chunk]);
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

/**
 * Verifies one archive; never throws for what is in the file (that is the outcome's `problems`),
 * only for cancellation (`failed:cancelled`) and for a file that cannot be opened.
 */
export async function verifyArchive(file: string, options: { signal?: AbortSignal; onBytes?: (n: number) => void } = {}): Promise<VerifyOutcome> {
  const handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  const hasher = fileHasher();
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { ok: false, problems: [`${path.basename(file)} is not a regular file.`] };
    const members = new MemberTable<Member>();
    const sequence = new HeaderSequence();
    const problems: string[] = [];

    // Parser state, fed chunk by chunk.
    const header = Buffer.alloc(BLOCK);
    let headerFill = 0;
    let body: { member: Member; left: number; hash?: Hash; parts?: Buffer[]; meta?: "meta" } | undefined;
    let skip = 0;
    let pos = 0;
    let ended = false;
    let broken = false;
    let last = "";
    let kept = 0;

    const startMember = (at: number) => {
      if (isZeroBlock(header)) {
        ended = true;
        return;
      }
      const h = parseHeader(header);
      if (!h) {
        broken = true;
        problems.push(
          at === 0
            ? "Not a tar archive: there is no valid tar header at byte 0 (a docker save file starts with one)."
            : `Damaged tar header at byte ${at}${last ? ` (after ${last})` : ""}: its checksum does not match; nothing after it can be read.`,
        );
        return;
      }
      let member: Member;
      let meta: "meta" | undefined;
      const size = sequence.bodySize(h);
      try {
        if (sequence.isMeta(h)) {
          checkMetaSize(h.size);
          meta = "meta";
          member = { name: "", kind: "other", offset: at + BLOCK, size, header: h } as Member & { header: TarHeader };
        } else {
          member = sequence.member(h, at + BLOCK);
          last = member.name;
          members.add(member);
        }
      } catch (err) {
        if (!(err instanceof ArchiveError)) throw err;
        broken = true;
        problems.push(`${err.message} (at byte ${at})`);
        return;
      }
      const regular = member.kind === "file";
      const keep = (meta !== undefined && size <= MAX_META) || (regular && size <= KEEP_JSON && kept + size <= KEEP_TOTAL && (member.name.endsWith(".json") || member.name.startsWith("blobs/")));
      if (keep && !meta) kept += size;
      body = { member, left: size, hash: regular ? createHash("sha256") : undefined, parts: keep ? [] : undefined, meta };
      skip = padded(size) - size;
      if (size === 0) finishBody();
    };
    const finishBody = () => {
      const b = body!;
      body = undefined;
      if (b.hash) b.member.sha256 = b.hash.digest("hex");
      const data = b.parts ? Buffer.concat(b.parts) : undefined;
      if (b.meta) sequence.meta((b.member as Member & { header: TarHeader }).header, data ?? Buffer.alloc(0));
      else b.member.data = data;
    };

    const feed = (chunk: Buffer) => {
      let i = 0;
      while (i < chunk.length && !ended && !broken) {
        if (body) {
          const n = Math.min(body.left, chunk.length - i);
          const part = chunk.subarray(i, i + n);
          body.hash?.update(part);
          body.parts?.push(Buffer.from(part));
          body.left -= n;
          i += n;
          if (body.left === 0) finishBody();
        } else if (skip > 0) {
          const n = Math.min(skip, chunk.length - i);
          skip -= n;
          i += n;
        } else {
          const n = Math.min(BLOCK - headerFill, chunk.length - i);
          chunk.copy(header, headerFill, i, i + n);
          headerFill += n;
          i += n;
          if (headerFill === BLOCK) {
            headerFill = 0;
            startMember(pos + i - BLOCK);
          }
        }
      }
    };

    // Read ahead one chunk while the previous one is hashed.
    const read = (at: number) => {
      // Its own (unpooled, not zero-filled) ArrayBuffer, so it can be transferred to the worker.
      const buf = Buffer.allocUnsafeSlow(CHUNK);
      return handle.read(buf, 0, CHUNK, at).then(({ bytesRead }) => buf.subarray(0, bytesRead));
    };
    let ahead = read(0);
    for (;;) {
      if (options.signal?.aborted) throw new AppError("failed:cancelled", "Cancelled.");
      const chunk = await ahead;
      if (chunk.length === 0) break;
      ahead = read(pos + chunk.length);
      if (!ended && !broken) feed(chunk);
      pos += chunk.length;
      // The worker takes the chunk over: nothing here touches it after this.
      await hasher.push(chunk.buffer.byteLength === chunk.length ? chunk.buffer : chunk.buffer.slice(0, chunk.length));
      options.onBytes?.(pos);
    }
    const sha256 = await hasher.digest();

    if (!ended && !broken) {
      if (body) {
        const b = body as { member: Member; left: number };
        problems.push(`The file ends at byte ${pos}, inside ${b.member.name} (${b.member.size - b.left} of ${b.member.size} bytes): it was cut short, e.g. by an unfinished copy.`);
      } else if (headerFill > 0 || skip > 0) {
        problems.push(`The file ends at byte ${pos}, inside a tar header or padding after ${last || "the start"}: it was cut short, e.g. by an unfinished copy.`);
      } else if (pos === 0) {
        problems.push("The file is empty.");
      } else {
        problems.push(`The file ends at byte ${pos} without the tar end-of-archive marker: it was cut short, e.g. by an unfinished copy.`);
      }
    }
    if (broken && pos === 0) return { ok: false, sha256, problems };
    // A file cut short lacks what came after the cut; listing each missing piece says nothing more.
    const image = broken || problems.length > 0 ? undefined : checkImage(members);
    if (image) problems.push(...image.problems);
    return problems.length === 0 ? { ok: true, sha256, problems, summary: image?.summary } : { ok: false, sha256, problems };
  } finally {
    hasher.stop();
    await handle.close();
  }
}

/** The image checks, once every member is hashed. */
function checkImage(members: MemberTable<Member>): { problems: string[]; summary?: string } {
  const problems: string[] = [];
  const manifestMember = members.file("manifest.json");
  if (!manifestMember?.data) return { problems: ["manifest.json is not in the archive: docker load cannot load it."] };
  let manifest: { Config?: unknown; Layers?: unknown }[];
  try {
    manifest = JSON.parse(manifestMember.data.toString("utf8"));
    if (!Array.isArray(manifest) || manifest.length === 0) throw new Error("not a list of images");
  } catch (err) {
    return { problems: [`manifest.json cannot be read: ${(err as Error).message}.`] };
  }
  const resolve = (name: string) => members.file(name);
  let layersChecked = 0;
  manifest.forEach((image, n) => {
    const which = manifest.length > 1 ? `image ${n + 1}: ` : "";
    const configName = typeof image.Config === "string" ? cleanMemberName(image.Config) : undefined;
    const config = configName ? resolve(configName) : undefined;
    if (!configName || !config) {
      problems.push(`${which ? `${which}the` : "The"} image config ${configName ?? "(none named)"} named in manifest.json is not in the archive.`);
      return;
    }
    const expected = /([0-9a-f]{64})(?:\.json)?$/.exec(configName)?.[1];
    if (expected && config.sha256 !== expected) {
      problems.push(`${which ? `${which}the` : "The"} image config ${configName} has sha256 ${config.sha256}, not the digest its name says: its content changed.`);
    }
    let diffIds: string[] = [];
    try {
      const parsed = JSON.parse(config.data?.toString("utf8") ?? "") as { rootfs?: { diff_ids?: unknown } };
      diffIds = Array.isArray(parsed.rootfs?.diff_ids) ? (parsed.rootfs.diff_ids as string[]) : [];
    } catch {
      problems.push(`${which ? `${which}the` : "The"} image config ${configName} is not valid JSON.`);
      return;
    }
    const layers = Array.isArray(image.Layers) ? (image.Layers as string[]) : [];
    if (layers.length !== diffIds.length) {
      problems.push(`${which ? `${which}manifest.json` : "manifest.json"} names ${layers.length} layers but the image config lists ${diffIds.length} (rootfs.diff_ids).`);
    }
    layers.forEach((layerName, i) => {
      const label = `${which ? `${which}layer` : "Layer"} ${i + 1} of ${layers.length} (${cleanMemberName(layerName)})`;
      const layer = resolve(cleanMemberName(layerName));
      if (!layer) {
        problems.push(`${label} is named in manifest.json but is not in the archive.`);
        return;
      }
      const want = diffIds[i]?.replace(/^sha256:/, "");
      if (want && layer.sha256 !== want) {
        problems.push(`${label} has sha256 ${short(layer.sha256 ?? "")}, but the image config expects ${short(want)} (rootfs.diff_ids[${i}]): its content changed.`);
      } else layersChecked++;
    });
  });
  const summary = `Well-formed tar; manifest.json and the image config present; the config's sha256 matches its name; ${layersChecked} layer${layersChecked === 1 ? "" : "s"} match rootfs.diff_ids.`;
  return { problems, summary };
}
