import "server-only";
import type { FileHandle } from "node:fs/promises";
import path from "node:path";
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
