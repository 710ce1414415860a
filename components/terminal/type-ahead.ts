/** Input on its way to the shell: what a key or a paste gives xterm (text) or its binary mode gives (bytes). */
export type ShellInput = string | Uint8Array;

const encoder = new TextEncoder();

/** Bytes of `data` as the shell will receive them (UTF-8 for text). */
export function inputBytes(data: ShellInput): number {
  return typeof data === "string" ? encoder.encode(data).length : data.length;
}

/**
 * Keys and pastes made before the shell is attached, kept in order to be delivered once it is, as
 * ssh does. Bounded: what does not fit is refused whole (never a cut paste), and once one thing was
 * refused so is everything after it until the queue is taken — a later key must not land after a
 * gap where the text it completes is missing.
 */
export class TypeAhead {
  private items: ShellInput[] = [];
  private bytes = 0;
  private overflowed = false;

  constructor(readonly limit: number) {}

  /** Keeps `data`; false when it is refused (the queue is full, or was). */
  push(data: ShellInput): boolean {
    const size = inputBytes(data);
    if (this.overflowed || this.bytes + size > this.limit) {
      this.overflowed = true;
      return false;
    }
    this.items.push(data);
    this.bytes += size;
    return true;
  }

  get size(): number {
    return this.bytes;
  }

  /** What was kept, in order; the queue is empty (and takes input again) afterwards. */
  take(): ShellInput[] {
    const items = this.items;
    this.clear();
    return items;
  }

  clear(): void {
    this.items = [];
    this.bytes = 0;
    this.overflowed = false;
  }
}

/** The server takes 64 KiB per input message: text goes in pieces of at most this many UTF-16 units (≤ 48 KiB as UTF-8). */
const TEXT_PIECE = 16 * 1024;
const BYTES_PIECE = 32 * 1024;

/** `data` in pieces the server accepts, in order (a paste larger than one message is not dropped). */
export function inputPieces(data: ShellInput): ShellInput[] {
  const piece = typeof data === "string" ? TEXT_PIECE : BYTES_PIECE;
  if (data.length <= piece) return [data];
  const pieces: ShellInput[] = [];
  for (let at = 0; at < data.length; ) {
    let end = Math.min(at + piece, data.length);
    // Never split a surrogate pair: the shell would get two halves of one character.
    if (typeof data === "string" && end < data.length && /[\ud800-\udbff]/.test(data[end - 1])) end--;
    pieces.push(data.slice(at, end));
    at = end;
  }
  return pieces;
}
