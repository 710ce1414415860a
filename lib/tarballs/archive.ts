import "server-only";
import { createHash, type Hash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { BLOCK, isZeroBlock, padded, parseHeader, parsePax, type TarHeader } from "./tar";

/**
 * What `docker load` sees in an archive, read the way its untar reads it (Go's archive/tar, then
 * Docker's path cleaning): PAX `path`/`linkpath`/`size` records and GNU long names apply to the
 * member after them, every name is cleaned (`././manifest.json`, `x/../manifest.json` and
 * `/manifest.json` are all `manifest.json`), a later member of the same name replaces an earlier
 * one, and manifest.json may be a link to another member. One reader for Details (image-config.ts),
 * Verify (verify.ts) and the load (load.ts), so what they describe is what the engine would load.
 *
 * An archive that says two things — two members that clean to the same name — is refused rather
 * than read "as the engine would": that is how a harmless manifest.json followed by a disguised one
 * re-tags images. Docker's own saves never repeat a name.
 *
 * Everything kept is bounded: members, name lengths, and the bytes of names in all.
 */
export const MAX_MEMBERS = 10_000;
/** Longer names do not fit a path on Linux (PATH_MAX): docker load could not extract them. */
export const MAX_NAME = 4096;
/** Bytes of member names kept in all. */
export const MAX_NAME_BYTES = 4 * 1024 * 1024;
/** PAX records and GNU long names larger than this are refused (Go's archive/tar takes at most 1 MiB). */
export const MAX_META = 1024 * 1024;

export type MemberKind = "file" | "symlink" | "hardlink" | "dir" | "other";

export interface ArchiveMember {
  /** The cleaned name. */
  name: string;
  kind: MemberKind;
  /** Where the body starts in the file, and its size. */
  offset: number;
  size: number;
  /** Symlinks and hard links: the target as written. */
  linkName?: string;
}

/** Names docker load reads as instructions, not content. */
export const CONTROL_FILES = ["manifest.json", "repositories", "index.json", "oci-layout"];

/** A member name as Docker's untar cleans it (Go's filepath.Clean, relative to the archive root). */
export function cleanMemberName(raw: string): string {
  return path.posix.normalize(`/${raw}`).replace(/^\/+/, "").replace(/\/+$/, "");
}

const KINDS: Record<string, MemberKind> = { "0": "file", "7": "file", "2": "symlink", "1": "hardlink", "5": "dir" };

/** Why an archive cannot be read as docker load would read it. */
export class ArchiveError extends Error {}

/**
 * Turns a sequence of tar headers into members: meta headers (PAX `x`, GNU `L`/`K`) describe the
 * next member; PAX global headers (`g`) are ignored, as Docker's untar ignores them.
 */
export class HeaderSequence {
  private next: { name?: string; linkName?: string; size?: number } = {};

  /** The body size of the entry this header starts (a PAX size record overrides the header's). */
  bodySize(h: TarHeader): number {
    return this.isMeta(h) ? h.size : (this.next.size ?? h.size);
  }

  isMeta(h: TarHeader): boolean {
    return h.type === "x" || h.type === "L" || h.type === "K" || h.type === "g";
  }

  /** A meta header's body: what it says applies to the next member. */
  meta(h: TarHeader, body: Buffer): void {
    checkMetaSize(h.size);
    if (h.type === "L") this.next.name = body.toString("utf8").replace(/\0+$/, "");
    else if (h.type === "K") this.next.linkName = body.toString("utf8").replace(/\0+$/, "");
    else if (h.type === "x") Object.assign(this.next, parsePax(body));
  }

  /** The member a non-meta header starts, at body offset `offset`. */
  member(h: TarHeader, offset: number): ArchiveMember {
    const raw = this.next.name ?? h.name;
    const linkName = this.next.linkName ?? h.linkName;
    const size = this.next.size ?? h.size;
    this.next = {};
    if (Buffer.byteLength(raw) > MAX_NAME) throw new ArchiveError(`A member name of ${Buffer.byteLength(raw)} bytes is longer than a path can be (${MAX_NAME}).`);
    const kind = KINDS[h.type] ?? "other";
    return { name: cleanMemberName(raw), kind, offset, size, linkName: kind === "symlink" || kind === "hardlink" ? linkName : undefined };
  }
}

/**
 * The archive's members by cleaned name. Refuses a second member of a name already seen (but for
 * directories), and more members or name bytes than the bounds.
 */
export class MemberTable<T extends ArchiveMember = ArchiveMember> {
  readonly members = new Map<string, T>();
  private nameBytes = 0;

  add(member: T): void {
    const seen = this.members.get(member.name);
    if (seen && !(seen.kind === "dir" && member.kind === "dir")) {
      const control = CONTROL_FILES.includes(member.name) ? ", which names the image's tags" : "";
      throw new ArchiveError(`Two members of the archive are both ${member.name}${control} (after path cleaning): docker load would take the later one. Refusing a file that says two things.`);
    }
    if (this.members.size >= MAX_MEMBERS) throw new ArchiveError(`The archive has more than ${MAX_MEMBERS} members: not a docker save.`);
    this.nameBytes += member.name.length;
    if (this.nameBytes > MAX_NAME_BYTES) throw new ArchiveError(`The archive's member names take more than ${MAX_NAME_BYTES / 1024 / 1024} MiB: not a docker save.`);
    this.members.set(member.name, member);
  }

  get size(): number {
    return this.members.size;
  }

  /**
   * The regular file a name leads to, following links between members as docker load would: a
   * symlink relative to its own directory, a hard link from the archive root. Undefined when it
   * leads nowhere (or round in circles).
   */
  file(name: string): T | undefined {
    let m = this.members.get(cleanMemberName(name));
    for (let hops = 0; m && m.kind !== "file" && hops < 8; hops++) {
      if (m.kind === "symlink") m = this.members.get(cleanMemberName(path.posix.join(path.posix.dirname(m.name), m.linkName ?? "")));
      else if (m.kind === "hardlink") m = this.members.get(cleanMemberName(m.linkName ?? ""));
      else return undefined;
    }
    return m?.kind === "file" ? m : undefined;
  }
}

/** Refuses a meta body too large to keep (before it is read). */
export function checkMetaSize(size: number): void {
  if (size > MAX_META) throw new ArchiveError(`A tar extended header of ${size} bytes is larger than docker load reads (${MAX_META} bytes).`);
}

/**
 * Indexes an archive with positional reads, skipping every member's body: a 1 GiB version costs a
 * few hundred small reads. Stops at the end marker, the end of the file or a header that is not one
 * (Verify says which); throws an ArchiveError for an archive docker load must not be given.
 */
export async function indexArchive(handle: FileHandle, fileSize: number): Promise<MemberTable> {
  const table = new MemberTable();
  const sequence = new HeaderSequence();
  const header = Buffer.alloc(BLOCK);
  for (let pos = 0; pos + BLOCK <= fileSize; ) {
    const { bytesRead } = await handle.read(header, 0, BLOCK, pos);
    if (bytesRead < BLOCK || isZeroBlock(header)) break;
    const h = parseHeader(header);
    if (!h) break;
    const size = sequence.bodySize(h);
    if (sequence.isMeta(h)) {
      checkMetaSize(h.size);
      const body = Buffer.alloc(h.size);
      await handle.read(body, 0, h.size, pos + BLOCK);
      sequence.meta(h, body);
    } else {
      table.add(sequence.member(h, pos + BLOCK));
    }
    pos += BLOCK + padded(size);
  }
  return table;
}

/** Reads a member's whole body (a JSON file); refuses one over `max` bytes. */
export async function readMember(handle: FileHandle, member: ArchiveMember, max: number): Promise<Buffer> {
  if (member.size > max) throw new ArchiveError(`${member.name} is ${member.size} bytes, more than the ${max} read of it.`);
  const body = Buffer.alloc(member.size);
  await handle.read(body, 0, member.size, member.offset);
  return body;
}

/** A member read by streaming: its sha256 and, for small JSON-looking members, its bytes. */
export interface StreamMember extends ArchiveMember {
  sha256?: string;
  data?: Buffer;
}

/** What a TarStream keeps and hashes, and who hears of the bodies it passes. */
export interface TarStreamOptions {
  /** Hash every regular file's body (Verify). */
  hash?: boolean;
  /** Keep the bytes of members that may be JSON (manifest.json, configs), at most this much in all. */
  keepTotal?: number;
  /** Called at each member's start; returning true sends its body to `onBody`. */
  onMember?: (member: StreamMember) => boolean;
  onBody?: (member: StreamMember, chunk: Buffer) => void;
  onMemberEnd?: (member: StreamMember) => void;
}

/** Small members only: a JSON file of `docker save` is at most this large. */
export const KEEP_JSON = 4 * 1024 * 1024;
const KEEP_TOTAL = 16 * 1024 * 1024;

interface OpenBody {
  member: StreamMember;
  left: number;
  hash?: Hash;
  parts?: Buffer[];
  header?: TarHeader;
  listen?: boolean;
}

/**
 * The archive read front to back, chunk by chunk (Verify, and gzip-compressed archives, which cannot
 * be read by position): the same headers, names and table as indexArchive, with each member's
 * sha256 when asked and the bytes of small members that start like JSON. Memory stays bounded
 * whatever the archive holds. After the last chunk, `endProblem()` says whether it was cut short.
 */
export class TarStream {
  readonly members = new MemberTable<StreamMember>();
  readonly problems: string[] = [];
  ended = false;
  broken = false;
  /** Bytes fed so far. */
  pos = 0;
  private sequence = new HeaderSequence();
  private header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  private body: OpenBody | undefined;
  private skip = 0;
  private last = "";
  private kept = 0;

  constructor(private options: TarStreamOptions = {}) {}

  feed(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length && !this.ended && !this.broken) {
      if (this.body) i += this.bodyBytes(chunk.subarray(i));
      else if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
      } else {
        const n = Math.min(BLOCK - this.headerFill, chunk.length - i);
        chunk.copy(this.header, this.headerFill, i, i + n);
        this.headerFill += n;
        i += n;
        if (this.headerFill === BLOCK) {
          this.headerFill = 0;
          this.startMember(this.pos + i - BLOCK);
        }
      }
    }
    this.pos += chunk.length;
  }

  /** Why the archive is incomplete once the input has ended; undefined when it ended properly. */
  endProblem(): string | undefined {
    if (this.ended || this.broken) return undefined;
    const b = this.body;
    if (b) return `The archive ends at byte ${this.pos}, inside ${b.member.name} (${b.member.size - b.left} of ${b.member.size} bytes): it was cut short, e.g. by an unfinished copy.`;
    if (this.headerFill > 0 || this.skip > 0) return `The archive ends at byte ${this.pos}, inside a tar header or padding after ${this.last || "the start"}: it was cut short, e.g. by an unfinished copy.`;
    if (this.pos === 0) return "The file is empty.";
    return `The archive ends at byte ${this.pos} without the tar end-of-archive marker: it was cut short, e.g. by an unfinished copy.`;
  }

  private bodyBytes(chunk: Buffer): number {
    const b = this.body!;
    const n = Math.min(b.left, chunk.length);
    const part = chunk.subarray(0, n);
    b.hash?.update(part);
    // Only bodies that start like JSON are kept: layers never do.
    if (b.parts && b.left === b.member.size && !b.header && part.length > 0 && part[0] !== 0x7b && part[0] !== 0x5b) {
      b.parts = undefined;
      this.kept -= b.member.size;
    }
    b.parts?.push(Buffer.from(part));
    if (b.listen) this.options.onBody?.(b.member, part);
    b.left -= n;
    if (b.left === 0) this.finishBody();
    return n;
  }

  private startMember(at: number): void {
    if (isZeroBlock(this.header)) {
      this.ended = true;
      return;
    }
    const h = parseHeader(this.header);
    if (!h) {
      this.broken = true;
      this.problems.push(
        at === 0
          ? "Not a tar archive: there is no valid tar header at byte 0 (a docker save file starts with one)."
          : `Damaged tar header at byte ${at}${this.last ? ` (after ${this.last})` : ""}: its checksum does not match; nothing after it can be read.`,
      );
      return;
    }
    const size = this.sequence.bodySize(h);
    try {
      if (this.sequence.isMeta(h)) {
        checkMetaSize(h.size);
        this.open({ member: { name: "", kind: "other", offset: at + BLOCK, size }, left: size, parts: [], header: h }, size);
        return;
      }
      const member: StreamMember = this.sequence.member(h, at + BLOCK);
      this.last = member.name;
      this.members.add(member);
      const regular = member.kind === "file";
      const keep = regular && size <= KEEP_JSON && this.kept + size <= (this.options.keepTotal ?? KEEP_TOTAL);
      if (keep) this.kept += size;
      const listen = this.options.onMember?.(member) ?? false;
      this.open({ member, left: size, hash: regular && this.options.hash ? createHash("sha256") : undefined, parts: keep ? [] : undefined, listen }, size);
    } catch (err) {
      if (!(err instanceof ArchiveError)) throw err;
      this.broken = true;
      this.problems.push(`${err.message} (at byte ${at})`);
    }
  }

  private open(body: OpenBody, size: number): void {
    this.body = body;
    this.skip = padded(size) - size;
    if (size === 0) this.finishBody();
  }

  private finishBody(): void {
    const b = this.body!;
    this.body = undefined;
    if (b.hash) b.member.sha256 = b.hash.digest("hex");
    const data = b.parts ? Buffer.concat(b.parts) : undefined;
    if (b.header) this.sequence.meta(b.header, data ?? Buffer.alloc(0));
    else {
      b.member.data = data;
      if (b.listen) this.options.onMemberEnd?.(b.member);
    }
  }
}

/** Compressions `docker load` detects by magic bytes (Docker 20.10: gzip, bzip2, xz; zstd from Docker 23). */
export type Compression = "gzip" | "bzip2" | "xz" | "zstd";

export function compressionOf(head: Uint8Array): Compression | undefined {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0x1f, 0x8b, 0x08)) return "gzip";
  if (starts(0x42, 0x5a, 0x68)) return "bzip2";
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return "xz";
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return "zstd";
  return undefined;
}

/** An archive's members and a way to read a small one: by position in a plain tar, from what streaming kept in a gzip'd one. */
export interface ArchiveIndex {
  table: MemberTable<StreamMember>;
  compression?: "gzip";
  /** Why the archive could not be read to its end (a gzip stream cut short or damaged). */
  problem?: string;
  read(member: StreamMember, max: number): Promise<Buffer>;
}

/** The file's compression, from its first bytes. */
export async function fileCompression(handle: FileHandle): Promise<Compression | undefined> {
  const head = Buffer.alloc(8);
  const { bytesRead } = await handle.read(head, 0, 8, 0);
  return compressionOf(head.subarray(0, bytesRead));
}

/** The gunzipped bytes of a file, chunk by chunk, to `sink`; the gzip error's message when it is damaged or cut short. */
export async function gunzipFile(handle: FileHandle, sink: (chunk: Buffer) => void | Promise<void>, signal?: AbortSignal): Promise<string | undefined> {
  try {
    await pipeline(handle.createReadStream({ start: 0, autoClose: false, highWaterMark: 1024 * 1024 }), zlib.createGunzip({ chunkSize: 1024 * 1024 }), async function (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) await sink(chunk);
    }, { signal });
    return undefined;
  } catch (err) {
    if (signal?.aborted || !(err as { code?: string }).code?.startsWith("Z_")) throw err;
    return `The gzip stream is damaged or cut short (${(err as Error).message}).`;
  }
}

/**
 * Indexes an archive as docker load would read it: a plain tar by position (indexArchive), a gzip'd
 * one by decompressing it once, front to back (bounded memory: only small JSON-looking members are
 * kept). Other compressions are named in an ArchiveError's place by the caller (`unreadable`).
 */
export async function openIndex(handle: FileHandle, size: number): Promise<ArchiveIndex | { unreadable: Compression }> {
  const compression = await fileCompression(handle);
  if (compression && compression !== "gzip") return { unreadable: compression };
  if (!compression) {
    const table = (await indexArchive(handle, size)) as MemberTable<StreamMember>;
    return { table, read: (member, max) => readMember(handle, member, max) };
  }
  const stream = new TarStream();
  const gzipProblem = await gunzipFile(handle, (chunk) => {
    if (!stream.ended && !stream.broken) stream.feed(chunk);
  });
  if (stream.problems.length > 0) throw new ArchiveError(`${stream.problems[0]} (in the gunzipped archive)`);
  const read = async (member: StreamMember, max: number) => {
    if (member.size > max) throw new ArchiveError(`${member.name} is ${member.size} bytes, more than the ${max} read of it.`);
    if (!member.data) throw new ArchiveError(`${member.name} could not be kept while reading the gzip'd archive (it does not look like JSON).`);
    return member.data;
  };
  return { table: stream.members, compression: "gzip", problem: gzipProblem ?? stream.endProblem(), read };
}
