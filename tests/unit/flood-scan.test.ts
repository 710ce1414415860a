import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { plainEnd, type WordView } from "@/lib/shared/flood";
import { seededRandom } from "../helpers/random";

// plainEnd skips printable ASCII four bytes at a time; this checks it against the rule written out
// byte by byte, on random streams at every alignment and start (a wrong four-byte test fails both).

/** The rule, one byte at a time: printable text, TAB, CR, LF, BEL, DEL, SGR, whole valid UTF-8. */
function reference(data: Uint8Array, from: number): number {
  const n = data.length;
  let i = from;
  while (i < from + 3 && i < n && data[i] >= 0x80 && data[i] <= 0xbf) i++;
  for (; i < n; i++) {
    const b = data[i];
    if ((b >= 0x20 && b <= 0x7e) || [0x0a, 0x0d, 0x09, 0x07, 0x7f].includes(b)) continue;
    if (b === 0x1b) {
      if (data[i + 1] !== 0x5b) return i;
      let j = i + 2;
      while (j < n && /[0-9;:]/.test(String.fromCharCode(data[j]))) j++;
      if (j >= n || data[j] !== 0x6d) return i;
      i = j;
      continue;
    }
    // Whole, valid UTF-8: decode strictly (no C1 controls U+0080–U+009F, no overlong, no surrogates).
    const len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0 || i + len > n) return i;
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(data.subarray(i, i + len));
    } catch {
      return i;
    }
    const cp = text.codePointAt(0)!;
    if (cp < 0xa0 || (b === 0xf4 && data[i + 1] > 0x8f)) return i;
    i += len - 1;
  }
  return n;
}

/** Mostly printable text with, now and then, one of the bytes that end or bend a plain stretch. */
function stream(rand: () => number, length: number, oddOneIn: number): Uint8Array {
  const odd = [0x00, 0x08, 0x0b, 0x1a, 0x1f, 0x1b, 0x7f, 0x80, 0x9f, 0xa0, 0xbf, 0xc2, 0xc3, 0xe2, 0xed, 0xf0, 0xf4, 0xf5, 0xff, 0x0a, 0x0d, 0x09, 0x07];
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const r = rand();
    if (r < 1 / oddOneIn) out[i] = odd[Math.floor(rand() * odd.length)];
    else if (r < 2 / oddOneIn && i + 5 < length) {
      // A colour change or a whole character, valid or not.
      const piece = [[0x1b, 0x5b, 0x33, 0x31, 0x6d], [0x1b, 0x5b, 0x6d], [0xc3, 0xa9], [0xe2, 0x94, 0x80], [0xf0, 0x9f, 0x98, 0x80], [0xe2, 0x28, 0xa1]][Math.floor(rand() * 6)];
      out.set(piece, i);
      i += piece.length - 1;
    } else out[i] = 0x20 + Math.floor(rand() * 0x5f);
  }
  return out;
}

describe("plainEnd", () => {
  it("agrees with the byte-by-byte rule on random streams at every alignment and start", () => {
    for (let seed = 1; seed <= 400; seed++) {
      const rand = seededRandom(seed);
      const length = 64 + Math.floor(rand() * 600);
      const data = stream(rand, length, [8, 40, 400, 5000][seed % 4]);
      // The same bytes at each offset in a larger buffer, as Buffers from a pool are.
      for (let offset = 0; offset < 4; offset++) {
        const host = new Uint8Array(length + 8);
        host.set(data, offset);
        const view = host.subarray(offset, offset + length);
        // Each start alone, and all with one word view, as PlainScanner calls it along a buffer.
        const words: WordView = {};
        for (const from of [0, 1, 2, 3, Math.floor(rand() * length)]) {
          assert.equal(plainEnd(view, from), reference(data, from), `seed ${seed}, offset ${offset}, from ${from}`);
          assert.equal(plainEnd(view, from, words), reference(data, from), `seed ${seed}, offset ${offset}, from ${from}, shared view`);
        }
      }
    }
  });

  it("finds a single odd byte at any position in a long printable run", () => {
    const base = new Uint8Array(256).fill(0x61);
    for (const odd of [0x00, 0x1f, 0x7f, 0x80, 0xff, 0x1b]) {
      for (let at = 0; at < 256; at++) {
        const data = base.slice();
        data[at] = odd;
        // DEL is plain; a continuation byte first is the rest of a character begun before.
        const expected = odd === 0x7f || (odd === 0x80 && at === 0) ? 256 : at;
        for (let offset = 0; offset < 4; offset++) {
          const host = new Uint8Array(264);
          host.set(data, offset);
          assert.equal(plainEnd(host.subarray(offset, offset + 256)), expected, `byte ${odd} at ${at}, offset ${offset}`);
        }
      }
    }
  });
});
