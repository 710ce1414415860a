import assert from "node:assert/strict";
import { describe, it } from "node:test";
import headless from "@xterm/headless";
import { compactFlood, headState, type CompactOptions } from "@/lib/shared/flood";
import { TerminalWriter } from "@/lib/shared/terminal-writer";
import { OutputPump } from "@/lib/terminal/pump";
import { seededRandom } from "../helpers/random";

// Checked against xterm's own parser (@xterm/headless: the same core as the browser's xterm): a
// stream written whole and the same stream written the way the browser writes it during a flood
// (queued, compacted when the queue is long, cut into slices at any byte) must leave identical
// terminals — every row of scrollback and screen, each cell's attributes, the cursor.

const { Terminal } = headless;
type Terminal = InstanceType<typeof headless.Terminal>;

const COLS = 40;
const ROWS = 10;
const SCROLLBACK = 50;

function terminal(): Terminal {
  return new Terminal({ cols: COLS, rows: ROWS, scrollback: SCROLLBACK, allowProposedApi: true });
}

function write(term: Terminal, data: Uint8Array): Promise<void> {
  return new Promise((resolve) => term.write(data, resolve));
}

/** Everything a user could see or that changes what later output does. */
function dump(term: Terminal): string {
  const out: string[] = [];
  for (const name of ["normal", "alternate"] as const) {
    const buffer = term.buffer[name];
    out.push(`${name} length=${buffer.length} base=${buffer.baseY} cursor=${buffer.cursorX},${buffer.cursorY}`);
    const cell = buffer.getNullCell();
    for (let y = 0; y < buffer.length; y++) {
      const line = buffer.getLine(y)!;
      const attrs: string[] = [];
      for (let x = 0; x < COLS; x++) {
        line.getCell(x, cell);
        attrs.push(`${cell.getFgColorMode()}:${cell.getFgColor()}/${cell.getBgColorMode()}:${cell.getBgColor()}/${cell.isBold()}${cell.isUnderline()}${cell.isInverse()}${cell.getWidth()}`);
      }
      out.push(`${line.isWrapped ? "+" : " "}${line.translateToString(false)}|${attrs.join(" ")}`);
    }
  }
  out.push(`active=${term.buffer.active.type} insert=${term.modes.insertMode} wrap=${term.modes.wraparoundMode}`);
  return out.join("\n");
}

const enc = new TextEncoder();
const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** A stream like a shell's: floods of log lines with everything a terminal program sends between them. */
function stream(seed: number): Uint8Array {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const word = () => "abcdefghijklmnopqrstuvwxyz0123456789".slice(0, 1 + Math.floor(rnd() * 12));
  const text = (max: number) => Array.from({ length: Math.floor(rnd() * max) }, word).join(" ");
  const parts: Uint8Array[] = [];
  const add = (s: string) => parts.push(enc.encode(s));
  const pieces: Array<() => void> = [
    () => add(`${text(8)}\r\n`),
    () => add(`${text(30)}\r\n`), // wraps
    () => add(`${text(4)}\n`), // bare LF: the column carries over
    () => add(`progress ${Math.floor(rnd() * 100)}%\rdone ${text(2)}\r\n`),
    () => add(`a\tb\t${word()}\r\n`),
    () => add(`中文字符 ${word()} 😀 é ü\r\n`),
    () => add(`\x1b[31m${word()}\x1b[0m ${word()} \x1b[1;32m${word()}\x1b[m\r\n`),
    () => add(pick(["\x1b[4m", "\x1b[7m", "\x1b[38;5;200m", "\x1b[48;2;10;20;30m", "\x1b[0m", "\x1b[m", "\x1b[38:2::1:2:3m"])),
    () => add(`\x1b[${1 + Math.floor(rnd() * ROWS)};${1 + Math.floor(rnd() * COLS)}H`),
    () => add(pick(["\x1b[2K", "\x1b[J", "\x1b[1J", "\x1b[K"])),
    () => add(pick(["\x1b[3;8r", "\x1b[r", "\x1b[1;5r", "\x1b[4;10r"])),
    () => add(pick(["\x1b[?1049h", "\x1b[?1049l", "\x1b[?47h", "\x1b[?47l"])),
    () => add(pick(["\x1b[4h", "\x1b[4l", "\x1b[?7l", "\x1b[?7h", "\x1b[20h", "\x1b[20l"])),
    () => add(`\x1b]0;${text(3)}\x07`),
    () => add(`\x1b]2;${text(3)}`), // a title left open: what follows is part of it until BEL
    () => add("\x07"),
    () => add(`abc\b\bX\r\n`),
    () => parts.push(bytes("\xc2\x9b31m")), // C1 CSI
    () => parts.push(bytes(pick(["\xff\xfe", "\xe2\x28\xa1", "\xc0\xaf", "\xe0\x80\xaf", "\xe2\x82"]))),
    () => add(pick(["\x0e", "\x0f", "\x1b(0", "\x1b(B", "\x0b", "\x0c", "\x18"])), // charsets, VT, FF, CAN
    () => add(`${word()}\x1b7\x1b[${ROWS};1H${text(3)}\x1b8`), // save, status line, restore
  ];
  const n = 20 + Math.floor(rnd() * 60);
  for (let i = 0; i < n; i++) {
    if (rnd() < 0.25) {
      // A flood of log lines, sometimes coloured.
      const lines = 20 + Math.floor(rnd() * 300);
      const colour = rnd() < 0.3;
      if (rnd() < 0.2) {
        // Output without the TTY's CR (stty -onlcr, raw mode): the column carries from line to line.
        for (let l = 0; l < lines; l++) add(l % 97 === 96 ? `\r${text(3)}\n` : `${text(3)}\n`);
        continue;
      }
      for (let l = 0; l < lines; l++) {
        const r = rnd();
        if (colour && l % 7 === 0) add(`\x1b[33mwarn\x1b[0m ${text(6)}\r\n`);
        else if (r < 0.05) add(`${text(3)}\n`); // bare LF inside the flood
        else if (r < 0.1) add(`${Math.floor(r * 1000)}%\r${text(2)}\r\n`);
        else if (r < 0.15) add(`包 ${word()}\t😀 ${text(2)}\r\n`);
        else add(`${text(r < 0.25 ? 20 : 6)}\r\n`);
      }
    } else {
      pick(pieces)();
    }
  }
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The browser's way: chunks arrive and queue; each queued stretch of at least `threshold` bytes is
 * compacted against the terminal's state once everything before it is parsed, then written in
 * slices cut at arbitrary bytes.
 */
async function writeCompacting(term: Terminal, data: Uint8Array, seed: number, threshold: number, options: Partial<CompactOptions> = {}): Promise<number> {
  const rnd = seededRandom(seed ^ 0x5bd1e995);
  let dropped = 0;
  let at = 0;
  while (at < data.length) {
    const take = Math.min(data.length - at, 1 + Math.floor(rnd() * threshold * 2));
    let chunk = data.subarray(at, at + take);
    at += take;
    if (chunk.length >= threshold) {
      const head = headState(term);
      assert.ok(head, "headless xterm exposes the state compactFlood needs");
      const done = compactFlood(chunk, head, { rows: term.rows, scrollback: term.options.scrollback ?? 0, minDrop: 1, ...options });
      if (done) {
        dropped += done.dropped;
        chunk = done.bytes;
      }
    }
    for (let s = 0; s < chunk.length; ) {
      const slice = 1 + Math.floor(rnd() * 3000);
      await write(term, chunk.subarray(s, s + slice));
      s += slice;
    }
  }
  return dropped;
}

describe("compactFlood against xterm's parser", () => {
  it("leaves the terminal exactly as the whole stream does, on 150 random streams", async () => {
    let dropped = 0;
    let total = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const data = stream(seed);
      const whole = terminal();
      await write(whole, data);
      const compacted = terminal();
      dropped += await writeCompacting(compacted, data, seed, 4096);
      total += data.length;
      assert.equal(dump(compacted), dump(whole), `seed ${seed}`);
      whole.dispose();
      compacted.dispose();
    }
    // The comparison above means something only if a good share was actually dropped.
    assert.ok(dropped > total * 0.1, `dropped ${dropped} of ${total} bytes`);
  });

  it("drops most of a plain flood and keeps its last lines", async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} of the log\r\n`).join("");
    const data = enc.encode(`$ cat log\r\n${lines}$ `);
    const whole = terminal();
    await write(whole, data);
    const compacted = terminal();
    const dropped = await writeCompacting(compacted, data, 7, 64 * 1024);
    assert.equal(dump(compacted), dump(whole));
    assert.ok(dropped > data.length * 0.5, `dropped ${dropped} of ${data.length}`);
    assert.match(compacted.buffer.active.getLine(compacted.buffer.active.length - 2)!.translateToString(true), /^line 19999 of the log$/);
  });

  it("is caught by the comparison when it keeps too few lines (the check can fail)", async () => {
    let differs = false;
    for (let seed = 1; seed <= 20 && !differs; seed++) {
      const data = stream(seed);
      const whole = terminal();
      await write(whole, data);
      const compacted = terminal();
      // Pretending there is no scrollback drops rows the terminal would keep.
      await writeCompacting(compacted, data, seed, 4096, { scrollback: 0 });
      differs = dump(compacted) !== dump(whole);
    }
    assert.ok(differs);
  });

  it("drops nothing inside a title, outside the scroll region, or past a cursor move", () => {
    const flood = enc.encode(Array.from({ length: 2000 }, (_, i) => `line ${i}\r\n`).join(""));
    const ready = { ground: true, cursorY: 5, scrollTop: 0, scrollBottom: 9 };
    const options = { rows: 10, scrollback: 50, minDrop: 1 };
    assert.ok(compactFlood(flood, ready, options));
    assert.equal(compactFlood(flood, { ...ready, ground: false }, options), undefined);
    assert.equal(compactFlood(flood, { ...ready, scrollTop: 2, scrollBottom: 4 }, options), undefined);
    assert.equal(compactFlood(flood, { ...ready, cursorY: 1, scrollTop: 2 }, options), undefined);
    const moved = new Uint8Array([...enc.encode("x\r\n\x1b[H"), ...flood]);
    assert.equal(compactFlood(moved, ready, options), undefined);
    // Too few lines to fill the buffer: everything stays.
    assert.equal(compactFlood(flood.subarray(0, 600), ready, options), undefined);
  });
});

describe("TerminalWriter", () => {
  /** Pushes `data` in chunks of up to `chunk` bytes as messages arrive, and waits until all is acknowledged. */
  async function feed(writer: TerminalWriter, acked: () => number, data: Uint8Array, chunk: number, seed: number): Promise<void> {
    const rnd = seededRandom(seed);
    for (let at = 0; at < data.length; ) {
      const n = 1 + Math.floor(rnd() * chunk);
      writer.push(data.subarray(at, at + n));
      at += n;
      if (rnd() < 0.3) await new Promise((r) => setImmediate(r));
    }
    for (let i = 0; i < 2000 && acked() < data.length; i++) await new Promise((r) => setTimeout(r, 5));
  }

  it("acknowledges every byte once, parsed or dropped, and leaves the terminal as a whole write does", async () => {
    let dropped = 0;
    for (const seed of [11, 12, 13, 14, 15]) {
      const data = stream(seed);
      const whole = terminal();
      await write(whole, data);
      const term = terminal();
      let acked = 0;
      const writer = new TerminalWriter(term, (n) => (acked += n), { slice: 1024, compactAt: 4096, frameMs: 1, minDrop: 1 });
      await feed(writer, () => acked, data, 2048, seed);
      assert.equal(acked, data.length, `seed ${seed}`);
      assert.equal(dump(term), dump(whole), `seed ${seed}`);
      dropped += writer.dropped;
    }
    assert.ok(dropped > 0);
  });

  it("drops most of a flood it cannot keep up with, and shows its end", async () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i} of the log\r\n`).join("");
    const data = enc.encode(`${lines}END\r\n`);
    const term = terminal();
    let acked = 0;
    const writer = new TerminalWriter(term, (n) => (acked += n), { slice: 16 * 1024, compactAt: 64 * 1024, frameMs: 1 });
    // All at once, as when the page was busy while messages piled up.
    for (let at = 0; at < data.length; at += 64 * 1024) writer.push(data.subarray(at, at + 64 * 1024));
    for (let i = 0; i < 2000 && acked < data.length; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(acked, data.length);
    assert.ok(writer.dropped > data.length * 0.9, `dropped ${writer.dropped} of ${data.length}`);
    const b = term.buffer.active;
    assert.equal(b.getLine(b.baseY + b.cursorY - 1)!.translateToString(true), "END");
    assert.equal(b.getLine(b.baseY + b.cursorY - 2)!.translateToString(true), "line 49999 of the log");
  });

  it("after reset, acknowledges nothing of what was in flight, and a direct write reports when parsed", async () => {
    const term = terminal();
    let acked = 0;
    const writer = new TerminalWriter(term, (n) => (acked += n), { slice: 1024 });
    writer.push(enc.encode("x".repeat(5000)));
    writer.reset();
    const parsed = await new Promise<boolean>((resolve) => writer.writeDirect(enc.encode("replayed\r\n"), () => resolve(true)));
    writer.push(enc.encode("after\r\n"));
    for (let i = 0; i < 200 && acked < 7; i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(parsed);
    assert.equal(acked, "after\r\n".length);
  });
});

describe("dropping on both sides: server OutputPump and browser TerminalWriter", () => {
  /**
   * A shell's output through the pump (server) and the writer (browser) with acks and ready reports
   * going back as they would over the socket; the source is paused and resumed as the pump asks.
   */
  async function throughBoth(data: Uint8Array, seed: number) {
    const rnd = seededRandom(seed);
    const term = terminal();
    const box: { writer?: TerminalWriter } = {};
    let paused = false;
    const pump = new OutputPump({
      send: (chunk) => setImmediate(() => box.writer!.push(new Uint8Array(chunk))),
      pause: () => (paused = true),
      resume: () => (paused = false),
      highWater: 16 * 1024,
      lowWater: 8 * 1024,
      maxMessage: 4096,
      compactAt: 8 * 1024,
      holdMax: 64 * 1024,
      minDrop: 1,
      terminal: () => ({ rows: ROWS, scrollback: SCROLLBACK }),
    });
    const writer = new TerminalWriter(
      term,
      (bytes, readyAt) =>
        setImmediate(() => {
          pump.ack(bytes);
          pump.ready(readyAt);
        }),
      { slice: 1024, compactAt: 64 * 1024, frameMs: 1, slicesPerFrame: 2, inFlight: 2, minDrop: 1 },
    );
    box.writer = writer;
    for (let at = 0; at < data.length; ) {
      while (paused) await new Promise((r) => setTimeout(r, 1));
      const n = 1 + Math.floor(rnd() * 3000);
      pump.push(Buffer.from(data.subarray(at, at + n)));
      at += n;
      if (rnd() < 0.2) await new Promise((r) => setImmediate(r));
    }
    pump.flush();
    for (let i = 0; i < 4000 && writer.received < pump.sentTotal; i++) await new Promise((r) => setTimeout(r, 2));
    for (let i = 0; i < 50; i++) await new Promise((r) => setTimeout(r, 2));
    return { term, pump, writer };
  }

  it("leaves the browser's terminal exactly as the whole stream does, the server dropping most of a flood", async () => {
    let serverDropped = 0;
    let total = 0;
    for (const seed of [21, 22, 23, 24, 25, 26]) {
      const floods = Array.from({ length: 3 }, (_, k) => Array.from({ length: 3000 }, (_, i) => `${k} line ${i} of the log ${"x".repeat(i % 50)}\r\n`).join(""));
      const data = new Uint8Array([...stream(seed), ...enc.encode(floods[0]), ...stream(seed + 100), ...enc.encode(floods[1] + floods[2]), ...stream(seed + 200)]);
      const whole = terminal();
      await write(whole, data);
      const { term, pump } = await throughBoth(data, seed);
      assert.equal(dump(term), dump(whole), `seed ${seed}`);
      serverDropped += pump.dropped;
      total += data.length;
    }
    assert.ok(serverDropped > total * 0.3, `the server dropped ${serverDropped} of ${total}`);
  });

  it("drops nothing on the server while the browser has not said its terminal is ready", () => {
    const sent: Buffer[] = [];
    const events: string[] = [];
    const pump = new OutputPump({ send: (c) => sent.push(c), pause: () => events.push("pause"), resume: () => events.push("resume"), highWater: 1000, lowWater: 500, compactAt: 1000, terminal: () => ({ rows: 10, scrollback: 10 }) });
    const flood = Buffer.from(Array.from({ length: 2000 }, (_, i) => `line ${i}\r\n`).join(""));
    pump.push(flood);
    pump.flush();
    pump.push(flood);
    pump.flush();
    assert.equal(pump.dropped, 0);
    assert.equal(Buffer.concat(sent).length, 2 * flood.length);
    assert.deepEqual(events, ["pause"]);
    // Ready after a title that was never closed: still nothing dropped (what was sent since is not plain).
    pump.ack(2 * flood.length);
    pump.push(Buffer.from("\x1b]0;half a title"));
    pump.flush();
    pump.ready(2 * flood.length);
    pump.push(Buffer.alloc(3000, 0x61));
    pump.push(flood);
    pump.flush();
    assert.equal(pump.dropped, 0);
  });
});

describe("OutputPump holding output", () => {
  it("never changes a message after sending it, while later floods are compacted in its place", () => {
    // The socket may still be writing a message when the next flood is held and compacted: each
    // message must stay as it was sent (the pump reuses one buffer for compaction).
    const sent: Array<{ ref: Buffer; copy: Buffer }> = [];
    const pump = new OutputPump({ send: (c) => sent.push({ ref: c, copy: Buffer.from(c) }), pause: () => {}, resume: () => {}, highWater: 4000, lowWater: 2000, compactAt: 4000, holdMax: 1 << 20, minDrop: 1, terminal: () => ({ rows: 5, scrollback: 10 }) });
    let n = 0;
    const lines = (count: number) => Buffer.from(Array.from({ length: count }, () => `line ${n++}\r\n`).join(""));
    pump.ready(0);
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 20; i++) {
        pump.push(lines(50));
        pump.flush();
      }
      pump.ack(pump.unacked); // releases what was held, compacted
    }
    assert.ok(pump.dropped > 0, "the pump compacted held output");
    assert.ok(sent.length > 6);
    for (const [i, m] of sent.entries()) assert.ok(m.ref.equals(m.copy), `message ${i} changed after it was sent`);
  });

  it("sends what it holds before an exit (flush(true)), so the end of a flood is never lost", () => {
    const sent: Buffer[] = [];
    const pump = new OutputPump({ send: (c) => sent.push(c), pause: () => {}, resume: () => {}, highWater: 1000, lowWater: 500, compactAt: 1 << 20, terminal: () => ({ rows: 10, scrollback: 10 }) });
    pump.push(Buffer.alloc(2000, 0x61));
    pump.flush();
    pump.ready(2000);
    pump.push(Buffer.from("last words\r\n"));
    pump.flush();
    assert.equal(Buffer.concat(sent).length, 2000, "held while the browser is behind");
    pump.flush(true);
    assert.match(Buffer.concat(sent).toString(), /last words\r\n$/);
  });
});
