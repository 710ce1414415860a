import "server-only";
import { constants } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { processWide } from "@/lib/runtime";
import type { VersionDetails } from "@/lib/shared/tarballs";
import { BLOCK, isZeroBlock, memberName, padded, parseHeader, parsePax, resolveMember } from "./tar";

/**
 * Reads what a `docker save` archive says about its image without reading the layers: tar headers
 * are visited with positional reads, skipping every file body, until `manifest.json` and the image
 * config it names are found. Version files are opened without following symlinks.
 */
const MAX_ENTRIES = 100_000;
const MAX_JSON = 4 * 1024 * 1024;

interface Entry {
  name: string;
  offset: number;
  size: number;
  /** Set for symlinks (the legacy layout links a repeated layer to its first copy). */
  linkName?: string;
}

/** The archive's regular files and symlinks: name, body offset and size. Stops at the end marker or a malformed header. */
async function* entries(handle: fs.FileHandle, fileSize: number): AsyncGenerator<Entry> {
  const header = Buffer.alloc(BLOCK);
  let pos = 0;
  let next: { name?: string; linkName?: string; size?: number } = {};
  for (let n = 0; n < MAX_ENTRIES && pos + BLOCK <= fileSize; n++) {
    const { bytesRead } = await handle.read(header, 0, BLOCK, pos);
    if (bytesRead < BLOCK || isZeroBlock(header)) return;
    const h = parseHeader(header);
    if (!h) return;
    const size = next.size ?? h.size;
    const body = pos + BLOCK;
    if ((h.type === "L" || h.type === "x") && size < 64 * 1024) {
      // GNU long name / PAX records: they describe the next entry.
      const buf = Buffer.alloc(size);
      await handle.read(buf, 0, size, body);
      next = h.type === "L" ? { name: buf.toString("utf8").replace(/\0+$/, "") } : parsePax(buf);
    } else {
      const name = memberName(next.name ?? h.name);
      if (h.type === "0" || h.type === "7") yield { name, offset: body, size };
      else if (h.type === "2") yield { name, offset: body, size: 0, linkName: next.linkName ?? h.linkName };
      next = {};
    }
    pos = body + padded(size);
  }
}

async function readJson(handle: fs.FileHandle, entry: Entry): Promise<unknown> {
  if (entry.size > MAX_JSON) throw new Error(`${entry.name} is too large`);
  const buf = Buffer.alloc(entry.size);
  await handle.read(buf, 0, entry.size, entry.offset);
  return JSON.parse(buf.toString("utf8"));
}

interface ImageConfig {
  created?: unknown;
  architecture?: string;
  os?: string;
  config?: { Env?: string[]; Cmd?: string[] | null; Entrypoint?: string[] | null; WorkingDir?: string; User?: string; Labels?: Record<string, string> | null };
  rootfs?: { diff_ids?: string[] };
}

/** Labels that name the image a version was made from (ours first, then the OCI convention). */
export const BASE_LABELS = ["hakuriver.base", "kohakuriver.base", "org.opencontainers.image.base.name"];
export const NOTE_LABELS = ["hakuriver.note", "kohakuriver.note"];

const strings = (v: unknown): string[] | null => (Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : null);

/** What the archive holds, from manifest.json, the image config and the layer headers. */
async function readArchive(file: string): Promise<Omit<VersionDetails, "file" | "size" | "mtime">> {
  const handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const { size } = await handle.stat();
    const index = new Map<string, Entry>();
    for await (const e of entries(handle, size)) index.set(e.name, e);
    const manifestEntry = index.get("manifest.json");
    if (!manifestEntry) {
      const problem = index.size === 0 ? "Not a tar archive." : "No manifest.json in the archive: not a docker save, or cut short.";
      return { tags: [], layers: 0, layerBytes: 0, env: [], problem };
    }
    const manifest = (await readJson(handle, manifestEntry)) as { Config?: string; RepoTags?: string[] | null; Layers?: string[] }[];
    const image = Array.isArray(manifest) ? manifest[0] : undefined;
    const configEntry = image?.Config ? index.get(memberName(image.Config)) : undefined;
    const layers = strings(image?.Layers) ?? [];
    const layerEntries = layers.map((l) => resolveMember(index, memberName(l)));
    const base = {
      layout: index.has("oci-layout") ? ("oci" as const) : ("docker" as const),
      tags: strings(image?.RepoTags) ?? [],
      imageId: image?.Config ? ((d) => (d ? `sha256:${d}` : undefined))(/[0-9a-f]{64}/.exec(image.Config)?.[0]) : undefined,
      layers: layers.length,
      layerBytes: layerEntries.reduce((n, e) => n + (e?.size ?? 0), 0),
      env: [],
    };
    if (!configEntry) return { ...base, problem: `The image config ${image?.Config ?? ""} named in manifest.json is not in the archive.` };
    const config = (await readJson(handle, configEntry)) as ImageConfig;
    const c = config.config ?? {};
    const labels = c.Labels ?? {};
    const created = typeof config.created === "string" && !Number.isNaN(Date.parse(config.created)) ? config.created : undefined;
    const missing = layerEntries.findIndex((e) => !e);
    return {
      ...base,
      created,
      architecture: config.architecture,
      os: config.os,
      base: BASE_LABELS.map((l) => labels[l]).find(Boolean),
      note: NOTE_LABELS.map((l) => labels[l]).find(Boolean),
      entrypoint: strings(c.Entrypoint),
      cmd: strings(c.Cmd),
      workingDir: c.WorkingDir || undefined,
      user: c.User || undefined,
      env: (strings(c.Env) ?? []).map((kv) => {
        const eq = kv.indexOf("=");
        return eq === -1 ? { name: kv, value: "" } : { name: kv.slice(0, eq), value: kv.slice(eq + 1) };
      }),
      labels,
      problem: missing === -1 ? undefined : `Layer ${missing + 1} (${layers[missing]}) named in manifest.json is not in the archive.`,
    };
  } finally {
    await handle.close();
  }
}

const CACHE_LIMIT = 1000;
const cache = () => processWide("tarballs.details", () => new Map<string, VersionDetails>());

/**
 * A version's details, read from the file itself (headers and the two JSON files only, so a 1 GiB
 * version costs a few hundred small reads) and cached per (file, size, mtime). A file that is not a
 * readable docker save gives details with `problem` set, never an exception.
 */
export async function readImageDetails(file: string): Promise<VersionDetails> {
  const st = await fs.lstat(file);
  const key = `${file}\0${st.size}\0${st.mtimeMs}`;
  const hit = cache().get(key);
  if (hit) return hit;
  let details: VersionDetails;
  try {
    details = { file: path.basename(file), size: st.size, mtime: st.mtime.toISOString(), ...(await readArchive(file)) };
  } catch (err) {
    details = { file: path.basename(file), size: st.size, mtime: st.mtime.toISOString(), layers: 0, layerBytes: 0, tags: [], env: [], problem: `Could not read the archive: ${(err as Error).message}` };
  }
  if (cache().size >= CACHE_LIMIT) cache().delete(cache().keys().next().value!);
  cache().set(key, details);
  return details;
}

/** The image config's `created` time (ISO) of a `docker save` archive; undefined when it cannot be read. */
export async function readImageCreated(file: string): Promise<string | undefined> {
  try {
    return (await readImageDetails(file)).created;
  } catch {
    return undefined;
  }
}
