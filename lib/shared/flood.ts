/**
 * Skipping the part of a flood that a terminal could never show.
 *
 * A terminal keeps `scrollback + rows` rows. When a shell prints a million plain lines, all but the
 * last few thousand are scrolled out of the buffer as soon as they are parsed: parsing them is the
 * whole cost of a flood in the browser, and the user never sees them. `compactFlood` drops such
 * lines from output that is waiting to be written, keeping exactly what the terminal would hold
 * afterwards — same rows, same scrollback, same cursor, same colours — so a flood costs what its
 * last screenful costs. It is exact under these rules (tests/unit/terminal-compact.test.ts checks it
 * against xterm's own parser on random streams):
 *
 * - Only "plain" output is dropped: printable text (UTF-8), TAB, CR, LF, BEL, and colour changes
 *   (SGR, `ESC [ … m`). Anything else — cursor moves, erases, modes, titles, C1 controls, other C0
 *   controls — ends the plain stretch: nothing after it is touched.
 * - The stretch starts right after an LF (never inside a character) and needs, after a CR that
 *   puts the cursor at column 0, at least `scrollback + 2 × rows + 2` more LFs: within `rows` of them
 *   the cursor is at the bottom of the scroll region whatever row it started on, and the rest scroll
 *   a whole buffer's worth of new rows in, identical in both streams.
 * - The colour changes of the dropped part are kept (after its last full reset), so the text after
 *   it is drawn with the same attributes.
 * - The terminal itself must be ready at the start of the output: its parser in the ground state (not
 *   inside an escape sequence or a title) and the cursor inside the scroll region (plain text
 *   printed above or below the region would land on rows that never scroll). `headState` reads that
 *   from xterm.
 */

const LF = 0x0a;
const CR = 0x0d;
const ESC = 0x1b;

/** What the terminal must be like before the output is written, for dropping to be exact. */
export interface HeadState {
  /** The parser is between sequences (not in an escape, CSI, OSC or DCS). */
  ground: boolean;
  cursorY: number;
  scrollTop: number;
  scrollBottom: number;
}

/** A compaction that would drop less than this is not worth its copy. */
export const DEFAULT_MIN_DROP = 64 * 1024;

export interface CompactOptions {
  rows: number;
  scrollback: number;
  /** Drop nothing unless at least this many bytes go (a small gain is not worth a copy). */
  minDrop?: number;
  /** Colour changes kept from the dropped part may take at most this many bytes. */
  maxKeptSgr?: number;
  /** Compact within `data` itself (its start is overwritten; `bytes` is a view of it) instead of a copy. */
  inPlace?: boolean;
}

export interface Compacted {
  bytes: Uint8Array;
  dropped: number;
  /** Where, in `bytes`, the text after the dropped lines starts (what comes before is kept from the start). */
  resumesAt: number;
}

/**
 * Where the plain stretch of `data` from `from` ends: the index of the first byte that is not plain
 * output (or `data.length`).
 */
export function plainEnd(data: Uint8Array, from = 0, view: WordView = {}): number {
  const n = data.length;
  // The rest of a character begun in the previous write (it is kept, not dropped).
  let i = from;
  while (i < from + 3 && i < n && data[i] >= 0x80 && data[i] <= 0xbf) i++;
  // Printable ASCII, most of any flood, is skipped four bytes at a time (about three times faster
  // than byte by byte, and the server scans every byte a shell prints). The words are a view made
  // once per buffer (`view`), not per call: a screen of escape sequences calls this every few bytes.
  const offset = data.byteOffset;
  // Where the words start, as an index into `data` (0–3).
  const firstWord = ((offset + 3) & ~3) - offset;
  let words = view.words;
  while (i < n) {
    if (((i - firstWord) & 3) === 0) {
      words ??= view.words = alignedWords(data);
      let w = (i - firstWord) >> 2;
      while (w < words.length && printable4(words[w])) w++;
      i = firstWord + (w << 2);
      if (i >= n) break;
    }
    const b = data[i];
    if ((b >= 0x20 && b < 0x7f) || b === LF || b === CR || b === 0x09 || b === 0x07 || b === 0x7f) {
      i++;
      continue;
    }
    if (b === ESC) {
      // Only SGR: ESC [ [0-9;:]* m
      if (data[i + 1] !== 0x5b) return i;
      let j = i + 2;
      while (j < n && ((data[j] >= 0x30 && data[j] <= 0x39) || data[j] === 0x3b || data[j] === 0x3a)) j++;
      if (j >= n || data[j] !== 0x6d) return i;
      i = j + 1;
      continue;
    }
    if (b >= 0x80) {
      // Whole, valid UTF-8 characters only. C1 controls (U+0080–U+009F, C2 80–C2 9F) and overlong
      // or broken forms end the stretch: a decoder may treat them, and what follows, differently.
      const len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
      if (len === 0 || i + len > n) return i;
      const second = data[i + 1];
      const low = b === 0xc2 ? 0xa0 : b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
      const high = b === 0xf4 ? 0x8f : 0xbf;
      if (second < low || second > high) return i;
      for (let k = 2; k < len; k++) if (data[i + k] < 0x80 || data[i + k] > 0xbf) return i;
      i += len;
      continue;
    }
    return i; // other C0 controls: BS, VT, FF, SO, SI, CAN, SUB…
  }
  return n;
}

/** The four-byte words of `data`, made once per buffer however often plainEnd scans it. */
export interface WordView {
  words?: Uint32Array;
}

/** `data`'s whole, aligned four-byte words (a view, no copy). */
function alignedWords(data: Uint8Array): Uint32Array {
  const start = (data.byteOffset + 3) & ~3;
  return new Uint32Array(data.buffer, start, Math.max(0, (data.byteOffset + data.length - start) >> 2));
}

/**
 * Whether all four bytes of `x` are 0x20–0x7f (printable ASCII or DEL, all plain): no high bit set,
 * and none below 0x20 — a borrow out of `x - 0x20202020` reaches a high bit exactly when one is.
 */
function printable4(x: number): boolean {
  return ((x | ((x - 0x20202020) & ~x)) & 0x80808080) === 0;
}

/** Whether the SGR sequence at `from` (ESC [ params m) resets all attributes: `ESC[m` or `ESC[0m`. */
function isReset(data: Uint8Array, from: number, to: number): boolean {
  const params = to - from - 3;
  return params === 0 || (params === 1 && data[from + 2] === 0x30);
}

/**
 * `data` with the plain lines that would scroll out of the terminal dropped, or `undefined` when
 * nothing (worth) dropping is safe. `head` is the terminal's state before `data` is written.
 */
export function compactFlood(data: Uint8Array, head: HeadState, options: CompactOptions): Compacted | undefined {
  if (!head.ground || head.cursorY < head.scrollTop || head.cursorY > head.scrollBottom) return undefined;
  const rows = Math.max(1, options.rows);
  const keepLines = Math.max(0, options.scrollback) + 2 * rows + 2;
  const minDrop = options.minDrop ?? DEFAULT_MIN_DROP;
  const maxKeptSgr = options.maxKeptSgr ?? 16 * 1024;

  const end = plainEnd(data);
  const firstLf = data.indexOf(LF);
  if (firstLf < 0 || firstLf >= end) return undefined;
  const dropFrom = firstLf + 1;

  // From the end of the stretch back: `keepLines` LFs, then the CR before them, then the LF before that.
  let lfs = 0;
  let i = end - 1;
  for (; i >= dropFrom && lfs < keepLines; i--) if (data[i] === LF) lfs++;
  if (lfs < keepLines) return undefined;
  while (i >= dropFrom && data[i] !== CR) i--;
  if (i < dropFrom) return undefined;
  while (i >= dropFrom && data[i] !== LF) i--;
  const dropTo = i + 1; // just after an LF, or dropFrom
  if (dropTo - dropFrom < minDrop) return undefined;

  // The colour changes in the dropped part, from its last full reset on.
  const sgr: Array<[number, number]> = [];
  let sgrBytes = 0;
  for (let at = data.indexOf(ESC, dropFrom); at >= 0 && at < dropTo; at = data.indexOf(ESC, at + 1)) {
    const stop = data.indexOf(0x6d, at) + 1;
    if (isReset(data, at, stop)) {
      sgr.length = 0;
      sgrBytes = 0;
    }
    sgr.push([at, stop]);
    sgrBytes += stop - at;
    if (sgrBytes > maxKeptSgr) return undefined;
  }

  const dropped = dropTo - dropFrom - sgrBytes;
  if (options.inPlace) {
    // Each piece moves to an earlier place (or stays): the kept colour changes in order, then the rest.
    let at = dropFrom;
    for (const [from, to] of sgr) {
      data.copyWithin(at, from, to);
      at += to - from;
    }
    data.copyWithin(at, dropTo);
    return { bytes: data.subarray(0, data.length - dropped), dropped, resumesAt: dropFrom + sgrBytes };
  }
  const out = new Uint8Array(data.length - dropped);
  out.set(data.subarray(0, dropFrom), 0);
  let at = dropFrom;
  for (const [from, to] of sgr) {
    out.set(data.subarray(from, to), at);
    at += to - from;
  }
  out.set(data.subarray(dropTo), at);
  return { bytes: out, dropped, resumesAt: dropFrom + sgrBytes };
}

/** The xterm internals `compactFlood` needs (xterm.js 6: not public API, so read defensively). */
interface XtermCore {
  _core?: {
    _inputHandler?: { _parser?: { currentState?: unknown } };
    buffer?: { y?: unknown; scrollTop?: unknown; scrollBottom?: unknown };
  };
}

/**
 * The state of an xterm Terminal (browser or headless) once everything written to it is parsed, or
 * `undefined` when this xterm version does not expose it — then nothing is ever dropped.
 */
export function headState(term: object): HeadState | undefined {
  const core = (term as XtermCore)._core;
  const parser = core?._inputHandler?._parser?.currentState;
  const buffer = core?.buffer;
  const y = buffer?.y;
  const top = buffer?.scrollTop;
  const bottom = buffer?.scrollBottom;
  if (typeof parser !== "number" || typeof y !== "number" || typeof top !== "number" || typeof bottom !== "number") return undefined;
  return { ground: parser === 0, cursorY: y, scrollTop: top, scrollBottom: bottom };
}

/** Whether `data[i..]` is the beginning of a colour change or a character that the next bytes may complete. */
function unfinished(data: Uint8Array, i: number): boolean {
  const n = data.length;
  if (n - i > 32) return false;
  if (data[i] === ESC) {
    if (i + 1 === n) return true;
    if (data[i + 1] !== 0x5b) return false;
    for (let j = i + 2; j < n; j++) if (!((data[j] >= 0x30 && data[j] <= 0x39) || data[j] === 0x3b || data[j] === 0x3a)) return false;
    return true;
  }
  const b = data[i];
  const len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
  if (len === 0 || i + len <= n) return false;
  for (let k = i + 1; k < n; k++) if (data[k] < 0x80 || data[k] > 0xbf) return false;
  return true;
}

/**
 * Follows a stream as it is sent and knows where its current plain stretch began: `plainSince` is
 * the stream offset just after the last byte that was not plain output (an escape sequence other
 * than a colour change, a control, a C1 code). With a terminal that was ready (`HeadState`: ground,
 * cursor in the scroll region) at some offset at or after `plainSince`, it is still ready at the end
 * of what was sent: plain output keeps both.
 */
export class PlainScanner {
  /** Bytes seen. */
  offset = 0;
  plainSince = 0;
  private carry: Uint8Array | undefined;

  feed(chunk: Uint8Array): void {
    const base = this.offset - (this.carry?.length ?? 0);
    let data = chunk;
    if (this.carry) {
      data = new Uint8Array(this.carry.length + chunk.length);
      data.set(this.carry, 0);
      data.set(chunk, this.carry.length);
      this.carry = undefined;
    }
    this.offset += chunk.length;
    let at = 0;
    const view: WordView = {};
    while (at < data.length) {
      const end = plainEnd(data, at, view);
      if (end >= data.length) break;
      if (unfinished(data, end)) {
        this.carry = data.slice(end);
        break;
      }
      this.plainSince = base + end + 1;
      at = end + 1;
    }
  }
}

/** Whether `data` is plain output to its end (a last colour change or character may be unfinished): more of it may become droppable. */
export function plainToEnd(data: Uint8Array): boolean {
  const end = plainEnd(data);
  return end >= data.length || unfinished(data, end);
}
