import "server-only";
import type { FileHandle } from "node:fs/promises";
import path from "node:path";
import { getFlavor } from "@/lib/config";
import { engineStatus } from "@/lib/docker/engine";
import { parseTarballName } from "@/lib/shared/tarball-names";
import type { RunnerContract } from "@/lib/shared/tarballs";
import { compressionSentence, ociLayoutSentence, type EngineIdentity } from "./format-words";
import { ArchiveError, openIndex, type ArchiveIndex, type Compression, type MemberTable, type StreamMember } from "./archive";

/**
 * What `docker load` makes of an archive, on top of the one reader (archive.ts): which compression
 * it would undo, the images manifest.json lists with the tags the engine gives them, the image the
 * Runners' tag ends up on, what an OCI layout without manifest.json is, and whether the file keeps
 * the Runner contract (docs/tarball-contract.md). Details (image-config.ts), Verify (verify.ts) and
 * the load (load.ts) all ask here.
 */
const MAX_MANIFEST = 4 * 1024 * 1024;

export interface ManifestImage {
  Config?: unknown;
  RepoTags?: unknown;
  Layers?: unknown;
}

/**
 * A RepoTag as the engine names it after `docker load` (Docker's familiar form): `docker.io/` and
 * `index.docker.io/` are dropped, and `library/` after them; any other host (`localhost/…`) stays.
 */
export function loadedTag(tag: string): string {
  const rest = /^(?:docker\.io|index\.docker\.io)\/(.+)$/.exec(tag)?.[1] ?? tag;
  return rest.startsWith("library/") && !rest.slice(8).includes("/") ? rest.slice(8) : rest;
}

/** The tags docker load gives one manifest entry (at most 100 kept). */
export function tagsOf(image: ManifestImage): string[] {
  return Array.isArray(image?.RepoTags) ? image.RepoTags.slice(0, 100).filter((t): t is string => typeof t === "string").map(loadedTag) : [];
}

/** The tag Runners load a file under, from its name (`<name>-<timestamp>.tar` → `hakuriver/<name>:base`). */
export function runnerTagOf(file: string): string | undefined {
  const parsed = parseTarballName(path.basename(file));
  return parsed ? getFlavor().baseImage(parsed.env.toLowerCase()).ref : undefined;
}

/**
 * The index of the manifest entry the Runners' tag ends up on: the LAST that names it, as docker
 * load gives a repeated tag to the later image (checked on Docker 20.10) — else -1.
 */
export function runnerImageIndex(manifest: ManifestImage[], runnerTag: string | undefined): number {
  if (!runnerTag) return -1;
  for (let i = manifest.length - 1; i >= 0; i--) if (tagsOf(manifest[i]).includes(runnerTag)) return i;
  return -1;
}

let engineMemo: { at: number; engine: EngineIdentity } | undefined;

/** The Host engine's product and version for a sentence ("Docker 20.10.24", "Podman 4.3.1"), asked at most once a minute. */
async function hostEngine(): Promise<EngineIdentity> {
  if (engineMemo && Date.now() - engineMemo.at < 60_000) return engineMemo.engine;
  const status = await engineStatus(5000);
  engineMemo = { at: Date.now(), engine: { product: status.product, version: status.version } };
  return engineMemo.engine;
}

/** The sentence for an OCI image layout with no manifest.json (podman/skopeo `oci-archive`), naming the engine. */
export async function ociLayoutProblem(): Promise<string> {
  return ociLayoutSentence(await hostEngine());
}

/** The sentence for a compression Details and Verify cannot undo, naming the engine. */
export async function compressionProblem(c: Compression): Promise<string> {
  return compressionSentence(c, await hostEngine());
}

/** Why an archive without a manifest.json cannot be loaded, in words. */
export async function noManifestProblem(table: MemberTable<StreamMember>): Promise<string> {
  if (table.members.has("oci-layout") || table.members.has("index.json")) return ociLayoutProblem();
  return table.size === 0 ? "Not a tar archive." : "No manifest.json in the archive: not a docker save, or cut short.";
}

/** Parses manifest.json's text; an ArchiveError when it lists no image. */
export function parseManifest(text: string): ManifestImage[] {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (err) {
    throw new ArchiveError(`manifest.json cannot be read: ${(err as Error).message}.`);
  }
  if (!Array.isArray(manifest) || manifest.length === 0) throw new ArchiveError("manifest.json does not list any image.");
  return manifest as ManifestImage[];
}

export interface SaveReading {
  index?: ArchiveIndex;
  images: ManifestImage[];
  /** The entry the Runners' tag lands on, else the first. */
  chosen?: number;
  runnerTag?: string;
  problem?: string;
  /** A compression docker load may undo but this reader cannot (bzip2, xz) or docker load cannot either (zstd). */
  unreadable?: Compression;
}

/** Reads an archive's manifest.json the way docker load would, through the one reader. */
export async function readSave(handle: FileHandle, size: number, file: string): Promise<SaveReading> {
  const runnerTag = runnerTagOf(file);
  const index = await openIndex(handle, size);
  if ("unreadable" in index) return { images: [], runnerTag, unreadable: index.unreadable, problem: await compressionProblem(index.unreadable) };
  const manifestMember = index.table.file("manifest.json");
  if (!manifestMember) return { index, images: [], runnerTag, problem: index.problem ?? (await noManifestProblem(index.table)) };
  const images = parseManifest((await index.read(manifestMember, MAX_MANIFEST)).toString("utf8"));
  const onTag = runnerImageIndex(images, runnerTag);
  return { index, images, runnerTag, chosen: onTag === -1 ? 0 : onTag, problem: index.problem };
}

/** The contract of a file that could not be read: unknown for bzip2/xz (docker load may read them), else broken. */
export function unreadContract(file: string, save: SaveReading): RunnerContract | undefined {
  if (save.unreadable === "bzip2" || save.unreadable === "xz") return undefined;
  return { ok: false, runnerTag: save.runnerTag, problems: [`\`docker load\` cannot load it: ${save.problem ?? "no image in it"}`] };
}

/**
 * Whether a Runner can use the file (docs/tarball-contract.md): `docker load` must give it the tag
 * the Runners look for, and the name's timestamp must not be later than that image's Created
 * second, or every Runner loads it again before every task.
 */
export function runnerContract(file: string, images: ManifestImage[], created: string | undefined): RunnerContract {
  const name = path.basename(file);
  const parsed = parseTarballName(name);
  const runnerTag = runnerTagOf(file);
  if (!parsed || !runnerTag) return { ok: false, problems: [`${name} is not named <env>-<timestamp>.tar: no Runner looks at it.`] };
  const at = runnerImageIndex(images, runnerTag);
  if (at === -1) {
    const given = [...new Set(images.flatMap(tagsOf))];
    const gives = given.length ? `it gives ${given.join(", ")}` : "it gives no tag at all, only an image ID";
    return {
      ok: false,
      runnerTag,
      problems: [`\`docker load\` does not give this file the tag ${runnerTag} Runners look for (${gives}): no Runner will use it. Create Tar again, or tag the image ${runnerTag} and save it again.`],
    };
  }
  const createdSec = created ? Math.floor(Date.parse(created) / 1000) : NaN;
  if (!Number.isFinite(createdSec)) return { ok: false, runnerTag, problems: ["The image's Created time cannot be read: Runners compare it with the name's timestamp."] };
  if (parsed.timestamp > createdSec) {
    return {
      ok: false,
      runnerTag,
      problems: [
        `The name's timestamp ${parsed.timestamp} is later than the image's Created (${createdSec}, ${new Date(createdSec * 1000).toISOString()}): Runners would load this before every task. Rename it to ${parsed.env}-${createdSec}.tar (if that is still the newest version) or Create Tar again.`,
      ],
    };
  }
  return { ok: true, runnerTag, problems: [] };
}
