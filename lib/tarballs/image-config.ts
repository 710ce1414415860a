import "server-only";
import { constants } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { processWide } from "@/lib/runtime";
import type { VersionDetails } from "@/lib/shared/tarballs";
import { ArchiveError, MAX_MEMBERS, type ArchiveMember } from "./archive";
import { readSave, runnerContract, tagsOf, unreadContract, type ManifestImage } from "./save";

/**
 * Reads what a `docker save` archive says about its image without reading the layers: the member
 * index (archive.ts: names cleaned and links followed as docker load does) and the two JSON files.
 * Version files are opened without following symlinks. What is kept is bounded, whatever the
 * archive holds (a config may be megabytes of environment): counts and lengths below, and the
 * cache in bytes.
 */
const MAX_JSON = 4 * 1024 * 1024;
const MAX_ENV = 500;
const MAX_LABELS = 200;
const MAX_LIST = 100;
const MAX_TEXT = 4096;

interface ImageConfig {
  created?: unknown;
  architecture?: unknown;
  os?: unknown;
  config?: { Env?: unknown; Cmd?: unknown; Entrypoint?: unknown; WorkingDir?: unknown; User?: unknown; Labels?: unknown };
  rootfs?: { diff_ids?: unknown };
}

/** Labels that name the image a version was made from (ours first, then the OCI convention). */
export const BASE_LABELS = ["hakuriver.base", "kohakuriver.base", "org.opencontainers.image.base.name"];
export const NOTE_LABELS = ["hakuriver.note", "kohakuriver.note"];

/** A string from the archive, cut to `max` characters; anything else is not one. */
const text = (v: unknown, max = MAX_TEXT): string | undefined => (typeof v !== "string" ? undefined : v.length > max ? `${v.slice(0, max)}…` : v);
/** The strings of a list, at most `max` of them. */
const strings = (v: unknown, max = MAX_LIST): string[] | null => (Array.isArray(v) ? v.slice(0, max).map((s) => text(s)).filter((s): s is string => s !== undefined) : null);

/** Labels whose values are strings, at most MAX_LABELS. */
function labelsOf(v: unknown): Record<string, string> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(v).slice(0, MAX_LABELS)) {
    const s = text(value);
    if (s !== undefined) out[text(key, 256)!] = s;
  }
  return out;
}

function envOf(v: unknown): Pick<VersionDetails, "env" | "envTotal"> {
  const all = Array.isArray(v) ? v : [];
  const env = (strings(all, MAX_ENV) ?? []).map((kv) => {
    const eq = kv.indexOf("=");
    return eq === -1 ? { name: kv, value: "" } : { name: kv.slice(0, eq), value: kv.slice(eq + 1) };
  });
  return all.length > env.length ? { env, envTotal: all.length } : { env };
}

type Reading = Omit<VersionDetails, "file" | "size" | "mtime">;

/** One manifest entry as Details lists it. */
function listed(image: ManifestImage): NonNullable<VersionDetails["images"]>[number] {
  const configName = text(image?.Config);
  const id = /[0-9a-f]{64}/.exec(configName ?? "")?.[0];
  const layers = strings(image?.Layers, MAX_MEMBERS) ?? [];
  return { tags: tagsOf(image), imageId: id ? `sha256:${id}` : undefined, layers: layers.length };
}

/** What the archive holds, from manifest.json, the described image's config and the layer headers. */
async function readArchive(file: string): Promise<Reading> {
  const handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const { size } = await handle.stat();
    const save = await readSave(handle, size, file);
    const { index, images, chosen } = save;
    const compression = index?.compression;
    if (!index || chosen === undefined) return { compression, tags: [], layers: 0, layerBytes: 0, env: [], problem: save.problem, contract: unreadContract(file, save) };
    const image = images[chosen];
    const table = index.table;
    const configName = text(image.Config);
    const layers = strings(image.Layers, MAX_MEMBERS) ?? [];
    const layerMembers = layers.map((l) => table.file(l));
    const base: Reading = {
      compression,
      layout: table.members.has("oci-layout") ? "oci" : "docker",
      ...listed(image),
      images: images.length > 1 ? images.slice(0, MAX_LIST).map((i) => listed(i)) : undefined,
      described: images.length > 1 ? chosen : undefined,
      layers: layers.length,
      layerBytes: layerMembers.reduce((n, e) => n + (e?.size ?? 0), 0),
      env: [],
    };
    const configMember = configName ? table.file(configName) : undefined;
    if (!configMember) return { ...base, problem: save.problem ?? `The image config ${configName ?? ""} named in manifest.json is not in the archive.`, contract: runnerContract(file, images, undefined) };
    const described = describeConfig(JSON.parse((await index.read(configMember, MAX_JSON)).toString("utf8")) as ImageConfig);
    return { ...base, ...described, problem: save.problem ?? missingLayer(layers, layerMembers), contract: runnerContract(file, images, described.created) };
  } finally {
    await handle.close();
  }
}

function missingLayer(layers: string[], members: (ArchiveMember | undefined)[]): string | undefined {
  const missing = members.findIndex((e) => !e);
  return missing === -1 ? undefined : `Layer ${missing + 1} (${layers[missing]}) named in manifest.json is not in the archive.`;
}

/** The parts of an image config Details shows, each a string (or list of strings) and bounded. */
function describeConfig(config: ImageConfig): Partial<VersionDetails> {
  const c = typeof config?.config === "object" && config.config !== null ? config.config : {};
  const labels = labelsOf(c.Labels);
  const created = typeof config?.created === "string" && !Number.isNaN(Date.parse(config.created)) ? config.created : undefined;
  return {
    created,
    architecture: text(config?.architecture, 64),
    os: text(config?.os, 64),
    base: BASE_LABELS.map((l) => labels[l]).find(Boolean),
    note: NOTE_LABELS.map((l) => labels[l]).find(Boolean),
    entrypoint: strings(c.Entrypoint),
    cmd: strings(c.Cmd),
    workingDir: text(c.WorkingDir) || undefined,
    user: text(c.User, 256) || undefined,
    ...envOf(c.Env),
    labels,
  };
}

/** The cache holds at most this many details and this many bytes of them (as JSON). */
const CACHE_LIMIT = 1000;
const CACHE_BYTES = 16 * 1024 * 1024;
const cache = () => processWide("tarballs.details", () => ({ bytes: 0, map: new Map<string, { details: VersionDetails; bytes: number }>() }));

function remember(key: string, details: VersionDetails): void {
  const c = cache();
  const bytes = JSON.stringify(details).length;
  while (c.map.size > 0 && (c.map.size >= CACHE_LIMIT || c.bytes + bytes > CACHE_BYTES)) {
    const [oldest, entry] = c.map.entries().next().value!;
    c.map.delete(oldest);
    c.bytes -= entry.bytes;
  }
  c.map.set(key, { details, bytes });
  c.bytes += bytes;
}

/**
 * A version's details, read from the file itself (headers and the two JSON files only, so a 1 GiB
 * version costs a few hundred small reads) and cached per (file, size, mtime). A file that is not a
 * readable docker save gives details with `problem` set, never an exception.
 */
export async function readImageDetails(file: string): Promise<VersionDetails> {
  const st = await fs.lstat(file);
  const key = `${file}\0${st.size}\0${st.mtimeMs}`;
  const hit = cache().map.get(key);
  if (hit) return hit.details;
  let details: VersionDetails;
  try {
    details = { file: path.basename(file), size: st.size, mtime: st.mtime.toISOString(), ...(await readArchive(file)) };
  } catch (err) {
    const problem = err instanceof ArchiveError ? err.message : `Could not read the archive: ${(err as Error).message}`;
    details = { file: path.basename(file), size: st.size, mtime: st.mtime.toISOString(), layers: 0, layerBytes: 0, tags: [], env: [], problem };
  }
  remember(key, details);
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
