import { DEFAULT_MIN_DROP, compactFlood, headState, plainToEnd } from "./flood";

/** The part of an xterm Terminal (browser or headless) the writer uses. */
export interface WritableTerminal {
  write(data: Uint8Array, callback?: () => void): void;
  readonly rows: number;
  readonly options: { scrollback?: number };
}

/** A queue this long is compacted: the page mostly gets output the server has already compacted. */
const COMPACT_AT = 1024 * 1024;

export interface WriterOptions {
  /** Bytes per write: xterm checks its time budget and lets the screen render between writes. */
  slice?: number;
  /** Writes handed to xterm and not yet parsed, at most. */
  inFlight?: number;
  /** Queue length that starts a try at dropping unseen lines. */
  compactAt?: number;
  /** While output can be dropped: slices written per `frameMs`. */
  slicesPerFrame?: number;
  frameMs?: number;
  /** Drop nothing unless at least this many bytes go. */
  minDrop?: number;
}

/**
 * A shell's output on its way into xterm, in the browser.
 *
 * Output queues here and goes to xterm in slices, each acknowledged (the server's flow control)
 * once parsed. xterm parses some 30–50 MB/s: left to itself in a flood it takes a whole core, the
 * one the engine and the shell need to produce the output, and the flood crawls. So xterm gets a
 * budget — 32 slices of 16 KiB per 50 ms — and what piles up meanwhile is compacted: the lines that
 * would scroll out of the terminal unseen are dropped (`compactFlood`: exactly, the terminal ends
 * as it would have) and acknowledged at once. The server does the same before sending (it is told
 * where xterm was ready: `readyAt` in the acks), so in a flood the page mostly gets a screenful and
 * the scrollback at a time, and the shell runs at the engine's pace.
 *
 * Output that cannot be dropped (cursor motion, titles, modes: a full-screen program) is written
 * without a budget, as fast as xterm parses; every `compactAt` bytes the budget comes back for
 * another try.
 */
export class TerminalWriter {
  private queue: Uint8Array[] = [];
  private queued = 0;
  private inFlight = 0;
  /** Bytes of output received (for tests and tools). */
  received = 0;
  /** While false, the last try dropped nothing: no budget until `retryAt` bytes have come. */
  private budgeted = true;
  private retryAt = 0;
  private tokens: number;
  private pushedInFrame = false;
  private refill?: ReturnType<typeof setTimeout>;
  /** Bumped by `reset`: callbacks of writes from before it acknowledge nothing. */
  private generation = 0;
  private toAck = 0;
  /** Bytes of the output stream parsed or dropped: the offset the server knows them by. */
  private consumedTotal = 0;
  /** The latest such offset at which xterm was ready (see HeadState), to report with the next ack. */
  private readyAt: number | undefined;
  /** Bytes taken from the queue and parsed, counted after compaction. */
  private parsedTotal = 0;
  private takenTotal = 0;
  /** Dropped bytes, acknowledged once what precedes them in the queue is parsed. */
  private credits: Array<{ at: number; bytes: number }> = [];
  private readonly o: Required<WriterOptions>;
  /** Bytes dropped unseen so far (for tests and tools). */
  dropped = 0;

  constructor(
    private readonly term: WritableTerminal,
    private readonly ack: (bytes: number, readyAt?: number) => void,
    options: WriterOptions = {},
  ) {
    this.o = { slice: 16 * 1024, inFlight: 8, compactAt: COMPACT_AT, slicesPerFrame: 32, frameMs: 50, minDrop: DEFAULT_MIN_DROP, ...options };
    this.tokens = this.o.slicesPerFrame;
  }

  /** Output from the shell, acknowledged once parsed or dropped. */
  push(data: Uint8Array): void {
    if (data.length === 0) return;
    this.queue.push(data);
    this.queued += data.length;
    this.received += data.length;
    this.pushedInFrame = true;
    if (this.tokens === Number.POSITIVE_INFINITY) this.tokens = this.o.slicesPerFrame;
    if (!this.budgeted && this.received >= this.retryAt) this.budgeted = true;
    this.pump();
  }

  /**
   * Writes `data` ahead of anything queued later, unacknowledged (a resume's replay, which the
   * server's flow control never counted); `parsed` runs once xterm has parsed all of it.
   */
  writeDirect(data: Uint8Array, parsed?: () => void): void {
    const generation = this.generation;
    const slices = Math.max(1, Math.ceil(data.length / this.o.slice));
    for (let i = 0; i < slices; i++) {
      this.inFlight++;
      this.term.write(data.subarray(i * this.o.slice, (i + 1) * this.o.slice), () => {
        if (generation !== this.generation) return;
        this.inFlight--;
        if (i === slices - 1) parsed?.();
        this.pump();
      });
    }
  }

  /**
   * Forgets what is queued (the terminal is being reset for a resume, whose replay holds it).
   * Writes already in xterm finish but acknowledge nothing.
   */
  reset(): void {
    this.generation++;
    this.queue = [];
    this.queued = 0;
    this.inFlight = 0;
    this.toAck = 0;
    this.readyAt = undefined;
    this.credits = [];
    // The server's next pump counts from zero.
    this.consumedTotal = 0;
    this.parsedTotal = this.takenTotal = 0;
  }

  dispose(): void {
    this.reset();
    clearTimeout(this.refill);
  }

  /** `bytes` of output are parsed or dropped: acknowledged together at the end of this task. */
  private consumed(bytes: number): void {
    if (this.toAck === 0) {
      const generation = this.generation;
      queueMicrotask(() => {
        const n = this.toAck;
        const readyAt = this.readyAt;
        this.toAck = 0;
        this.readyAt = undefined;
        if (n > 0 && generation === this.generation) this.ack(n, readyAt);
      });
    }
    this.toAck += bytes;
    this.consumedTotal += bytes;
  }

  /** A slice is parsed: acknowledge it (and the dropped bytes after it), and note whether xterm is ready here. */
  private parsed(bytes: number): void {
    this.parsedTotal += bytes;
    let n = bytes;
    while (this.credits.length > 0 && this.credits[0].at <= this.parsedTotal) n += this.credits.shift()!.bytes;
    this.consumed(n);
    // Here xterm's state is that after the slice (its callbacks run between writes): the server may
    // drop lines of a flood before sending them when the terminal was ready somewhere behind them.
    const head = headState(this.term);
    if (head && head.ground && head.cursorY >= head.scrollTop && head.cursorY <= head.scrollBottom) this.readyAt = this.consumedTotal;
  }

  private pump(): void {
    if (this.budgeted && this.queued >= this.o.compactAt && this.received >= this.retryAt) {
      // xterm's state must be that of the queue's first byte: let what it has finish first.
      if (this.inFlight > 0) return;
      this.compact();
    }
    while (this.inFlight < this.o.inFlight && this.queued > 0) {
      if (this.budgeted) {
        if (this.tokens === 0) return this.awaitFrame();
        this.tokens--;
      }
      const slice = this.take(this.o.slice);
      const generation = this.generation;
      this.inFlight++;
      this.term.write(slice, () => {
        if (generation !== this.generation) return;
        this.inFlight--;
        this.parsed(slice.length);
        this.pump();
      });
    }
  }

  private awaitFrame(): void {
    // A timer, not requestAnimationFrame: a hidden tab gets no frames but must keep taking output
    // (its timers slow down, and the queue is compacted instead).
    this.refill ??= setTimeout(() => {
      this.refill = undefined;
      // Nothing new came during the frame: the end of a flood (or a pause in it) is written at once.
      this.tokens = this.pushedInFrame ? this.o.slicesPerFrame : Number.POSITIVE_INFINITY;
      this.pushedInFrame = false;
      this.pump();
    }, this.o.frameMs);
  }

  /** Drops the queue's unseen lines, if xterm and the output allow it (see compactFlood). */
  private compact(): void {
    const data = this.take(this.queued);
    this.takenTotal -= data.length;
    const head = headState(this.term);
    const done = head && compactFlood(data, head, { rows: this.term.rows, scrollback: this.term.options.scrollback ?? 1000, minDrop: this.o.minDrop });
    this.queue = [done ? done.bytes : data];
    this.queued = this.queue[0].length;
    if (done) {
      this.dropped += done.dropped;
      this.credits.push({ at: this.takenTotal + done.resumesAt, bytes: done.dropped });
    } else if (!plainToEnd(data) || !head?.ground) {
      // Output that cannot be dropped: no budget for a while.
      this.budgeted = false;
      this.retryAt = this.received + this.o.compactAt;
    } else {
      // Plain, but not yet enough lines to drop any: try again once the queue has doubled (each
      // try copies and scans the whole queue).
      this.retryAt = this.received + Math.max(this.o.compactAt / 4, this.queued);
    }
  }

  /** Up to `max` bytes from the front of the queue (a copy only when they span chunks). */
  private take(max: number): Uint8Array {
    const first = this.queue[0];
    let bytes: Uint8Array;
    if (first.length >= max) {
      bytes = first.subarray(0, max);
      if (first.length === max) this.queue.shift();
      else this.queue[0] = first.subarray(max);
    } else {
      let size = 0;
      let n = 0;
      while (n < this.queue.length && size + this.queue[n].length <= max) size += this.queue[n++].length;
      bytes = new Uint8Array(size);
      let at = 0;
      for (const chunk of this.queue.splice(0, n)) {
        bytes.set(chunk, at);
        at += chunk.length;
      }
    }
    this.queued -= bytes.length;
    this.takenTotal += bytes.length;
    return bytes;
  }
}
