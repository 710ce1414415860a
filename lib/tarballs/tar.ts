import "server-only";

/**
 * The tar format as `docker save` writes it (Go's archive/tar: ustar, PAX records for what ustar
 * cannot hold, GNU base-256 sizes and long names from other writers). One header parser for the
 * archive reader (archive.ts: what docker load would see) and the streaming verifier (verify.ts),
 * and one header writer for the load (load.ts).
 */
export const BLOCK = 512;

export interface TarHeader {
  name: string;
  size: number;
  /** '0' regular file, '2' symlink, '5' directory, 'x'/'g' PAX, 'L' GNU long name, … */
  type: string;
  linkName: string;
}

function field(header: Uint8Array, start: number, length: number): string {
  const raw = Buffer.from(header.buffer, header.byteOffset + start, length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? raw.length : end).toString("utf8");
}

function numeric(header: Uint8Array, start: number, length: number): number {
  if (header[start] & 0x80) {
    // GNU base-256: big-endian, the first byte's high bit only marks the encoding.
    let value = header[start] & 0x7f;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + header[i];
    return value;
  }
  const text = field(header, start, length).trim();
  return text === "" ? 0 : /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}

/** Whether a 512-byte block is all zeros (the end-of-archive marker is two of them). */
export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

function checksumOf(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
  return sum;
}

/**
 * Parses one header block; undefined when it is not a tar header (bad checksum or size), which is
 * how a damaged header, a file cut inside one, or a file that is not a tar at all shows.
 */
export function parseHeader(header: Uint8Array): TarHeader | undefined {
  const stored = numeric(header, 148, 8);
  if (!Number.isFinite(stored) || stored !== checksumOf(header)) return undefined;
  const size = numeric(header, 124, 12);
  if (!Number.isSafeInteger(size) || size < 0) return undefined;
  const prefix = field(header, 345, 155);
  const base = field(header, 0, 100);
  const magic = field(header, 257, 6);
  return {
    // The prefix field is POSIX ustar's ("ustar\0"); GNU headers ("ustar ") keep times there, and
    // Go's reader (docker load's) ignores it for them.
    name: magic === "ustar" && prefix ? `${prefix}/${base}` : base,
    size,
    type: header[156] === 0 ? "0" : String.fromCharCode(header[156]),
    linkName: field(header, 157, 100),
  };
}

/** PAX extended header records (`<len> key=value\n`…): path, linkpath, size override the next header. */
export function parsePax(body: Buffer): Partial<Pick<TarHeader, "name" | "linkName" | "size">> {
  const out: Partial<Pick<TarHeader, "name" | "linkName" | "size">> = {};
  let pos = 0;
  while (pos < body.length) {
    const space = body.indexOf(0x20, pos);
    if (space === -1) break;
    const len = parseInt(body.subarray(pos, space).toString("ascii"), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const record = body.subarray(space + 1, pos + len - 1).toString("utf8");
    const eq = record.indexOf("=");
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === "path") out.name = value;
    else if (key === "linkpath") out.linkName = value;
    else if (key === "size" && /^\d+$/.test(value)) out.size = Number(value);
    pos += len;
  }
  return out;
}

/** Bytes a body of `size` takes in the archive (padded to whole blocks). */
export const padded = (size: number) => Math.ceil(size / BLOCK) * BLOCK;

/** A ustar header for a regular file of `size` bytes (mode 0644, owned by root, dated `mtime`). */
export function fileHeader(name: string, size: number, mtime = Math.floor(Date.now() / 1000)): Buffer {
  const header = Buffer.alloc(BLOCK);
  const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, "0") + "\0";
  header.write(name, 0, 100, "utf8");
  header.write(octal(0o644, 8), 100, "ascii");
  header.write(octal(0, 8), 108, "ascii");
  header.write(octal(0, 8), 116, "ascii");
  header.write(octal(size, 12), 124, "ascii");
  header.write(octal(mtime, 12), 136, "ascii");
  header[156] = 0x30;
  header.write("ustar\0", 257, "ascii");
  header.write("00", 263, "ascii");
  header.write(octal(checksumOf(header), 7) + " ", 148, "ascii");
  return header;
}
