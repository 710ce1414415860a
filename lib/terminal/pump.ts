import "server-only";
import { DEFAULT_MIN_DROP, compactFlood, PlainScanner } from "@/lib/shared/flood";

/**
 * A shell's output on its way to the browser: coalescing and flow control, apart from the socket.
 *
 * Coalescing: a chunk goes out on the next turn of the event loop (no added latency for a key
 * echo), but while output streams, chunks gather for a few ms into one message, since per-message
 * costs (framing, acks) dominate with a TTY's small writes.
 *
 * Flow control: output beyond `highWater` bytes the browser has not acknowledged pauses the source
 * until acknowledgements bring it under `lowWater`, so a `cat` of a large file cannot flood memory
 * or the page. Acknowledgements are the client's word: one can credit only bytes that were sent
 * and not yet credited, and the socket's own buffer (`backlog`, what was sent to it but has not
 * reached the network) pauses the source the same way, so a client that acknowledges what it never
 * reads cannot make the server buffer its output.
 *
 * Dropping (with `terminal`): in a flood of plain lines the browser drops what would scroll out
 * unseen (lib/shared/terminal-writer.ts) — but only after the bytes have crossed the socket and the
 * browser, which on a small machine costs as much CPU as the shell producing them. So while the
 * browser is behind, output is held here instead of the source being paused, and the same exact
 * compaction (compactFlood) drops the lines the terminal could never show before they are sent.
 * That needs the browser's terminal ready at the start of what is held: it reports offsets where
 * its xterm was ready (`ready`), and everything sent since must be plain (PlainScanner). When
 * that does not hold, or the held output will not shrink, the source is paused as before.
 */
export interface PumpOptions {
  send: (chunk: Buffer) => void;
  pause: () => void;
  resume: () => void;
  highWater?: number;
  lowWater?: number;
  /** At most this many bytes per message. */
  maxMessage?: number;
  /** How long chunks gather while output streams. */
  gatherMs?: number;
  /** A message of `streamingBytes` or more within `streamingMs` of the last means output is streaming. */
  streamingMs?: number;
  streamingBytes?: number;
  /**
   * Bytes handed to the socket that have not yet left for the network. Given, the source also
   * pauses (or output is held) while it is past `highWater`, until it is under `lowWater`.
   */
  backlog?: () => number;
  /** While the backlog keeps the source paused, how often it is looked at again (it drains without a word). */
  backlogPollMs?: number;
  /** The browser terminal's size and scrollback: given, output the terminal could never show is dropped here. */
  terminal?: () => { rows: number; scrollback: number };
  /** Held output is compacted each time it grows by this much; held past `holdMax`, the source pauses. */
  compactAt?: number;
  holdMax?: number;
  /** Drop nothing unless at least this many bytes go. */
  minDrop?: number;
}

/** How long the compaction buffer outlives its last use. */
const ARENA_IDLE_MS = 2000;

export class OutputPump {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private scheduled = false;
  private lastFlush = 0;
  private lastSize = 0;
  private paused = false;
  private stopped = false;
  /** Bytes sent and not yet acknowledged. */
  unacked = 0;
  /** Bytes sent in all. */
  get sentTotal(): number {
    return this.scanner.offset;
  }
  /** Bytes dropped here, unseen (for tests and tools). */
  dropped = 0;
  private readonly scanner = new PlainScanner();
  /** The latest stream offset at which the browser's terminal was ready (-1: none yet). */
  private readyAt = -1;
  private holding = false;
  private compactedAt = 0;
  /** Where held output is compacted (kept while floods go on, let go a while after). */
  private arena: Buffer | undefined;
  private arenaTimer: ReturnType<typeof setTimeout> | undefined;
  private arenaUsedAt = 0;
  private backlogTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly o: Required<Omit<PumpOptions, "terminal" | "backlog">> & Pick<PumpOptions, "terminal" | "backlog">;

  constructor(options: PumpOptions) {
    this.o = {
      highWater: 512 * 1024,
      lowWater: 128 * 1024,
      maxMessage: 64 * 1024,
      gatherMs: 4,
      streamingMs: 10,
      streamingBytes: 1024,
      compactAt: 1024 * 1024,
      holdMax: 4 * 1024 * 1024,
      minDrop: DEFAULT_MIN_DROP,
      backlogPollMs: 20,
      ...options,
    };
  }

  push(chunk: Buffer): void {
    if (this.stopped) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= this.o.maxMessage) return this.flush();
    if (this.scheduled) return;
    this.scheduled = true;
    const streaming = this.lastSize >= this.o.streamingBytes && performance.now() - this.lastFlush < this.o.streamingMs;
    if (streaming) setTimeout(() => this.flush(), this.o.gatherMs);
    else setImmediate(() => this.flush());
  }

  /**
   * Sends what is pending now, unless the browser is behind and it can be held. `final`: before an
   * exit message, everything goes, held or not, so nothing arrives after it.
   */
  flush(final = false): void {
    this.scheduled = false;
    if (this.pendingBytes === 0 || this.stopped) return;
    if (!final && this.behind() && this.hold()) return;
    this.holding = false;
    // A copy of what was held: the socket may still be writing it when the next flood compacts.
    const all = this.pending.length === 1 && !this.inArena(this.pending[0]) ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.compactedAt = 0;
    this.lastFlush = performance.now();
    this.lastSize = all.length;
    this.unacked += all.length;
    this.scanner.feed(all);
    // Held output goes in messages of the usual size: one message of megabytes is one long task in the page.
    const piece = Math.max(this.o.maxMessage, 1);
    if (all.length <= 2 * piece) this.o.send(all);
    else for (let at = 0; at < all.length; at += piece) this.o.send(all.subarray(at, at + piece));
    if (this.behind() && !this.canDrop()) this.pauseSource();
  }

  /** Bytes in the socket's own buffer; a value that is not a count is none. */
  private queued(): number {
    const bytes = this.o.backlog?.();
    return typeof bytes === "number" && Number.isFinite(bytes) && bytes > 0 ? bytes : 0;
  }

  /** Past the high-water mark: the browser has not acknowledged, or the socket not written, that much. */
  private behind(): boolean {
    return this.unacked > this.o.highWater || this.queued() > this.o.highWater;
  }

  /** Both under the low-water mark again. */
  private caughtUp(): boolean {
    return this.unacked < this.o.lowWater && this.queued() < this.o.lowWater;
  }

  private pauseSource(): void {
    if (this.paused) return;
    this.paused = true;
    this.o.pause();
    this.watchBacklog();
  }

  /**
   * Acknowledgements end a wait on the browser; nothing announces that the socket's buffer drained.
   * While that buffer is what keeps output paused or held, it is looked at again every backlogPollMs.
   */
  private watchBacklog(): void {
    if (this.backlogTimer !== undefined || this.stopped || !(this.paused || this.holding)) return;
    if (this.queued() < this.o.lowWater) return;
    this.backlogTimer = setTimeout(() => {
      this.backlogTimer = undefined;
      this.catchUp();
    }, this.o.backlogPollMs);
    this.backlogTimer.unref?.();
  }

  /** Whether held output may be compacted: the browser was ready at an offset from which all sent was plain. */
  private canDrop(): boolean {
    return this.o.terminal !== undefined && this.readyAt >= 0 && this.readyAt >= this.scanner.plainSince;
  }

  /**
   * The browser is behind: keeps pending output instead of sending it, compacting it as it grows.
   * False when it must be sent after all (nothing can be dropped; the source is paused instead).
   */
  private hold(): boolean {
    if (!this.canDrop()) return false;
    if (this.pendingBytes - this.compactedAt >= this.o.compactAt) this.compactHeld();
    if (this.pendingBytes > this.o.holdMax) this.pauseSource();
    this.holding = true;
    this.watchBacklog();
    return true;
  }

  /**
   * Drops from the held output what the terminal could never show (the browser was ready before it).
   * The work happens in one buffer kept for the flood: what a compaction keeps stays at its start,
   * new output is appended to it, and the next compaction works in place. A copy per compaction
   * would make garbage at several times the flood's rate, and the server's heap is big enough that
   * each collection it forces costs tens of milliseconds.
   */
  private compactHeld(): void {
    const total = this.pendingBytes;
    const first = this.pending[0];
    let arena = this.arena;
    let at = 0;
    let from = 0;
    if (this.inArena(first)) {
      at = first.length; // what the last compaction kept, already in place at the start
      from = 1;
    }
    if (arena === undefined || arena.length < total) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(total + this.o.compactAt, this.o.holdMax + this.o.compactAt));
      if (at > 0) first.copy(bigger, 0, 0, at);
      arena = this.arena = bigger;
    }
    for (let i = from; i < this.pending.length; i++) at += this.pending[i].copy(arena, at);
    this.arenaUsedAt = performance.now();
    if (this.arenaTimer === undefined) this.letArenaGo();
    const data = arena.subarray(0, total);
    const { rows, scrollback } = this.o.terminal!();
    // Ready at the start of what is held: compactFlood's other checks are on the bytes themselves.
    const done = compactFlood(data, { ground: true, cursorY: 0, scrollTop: 0, scrollBottom: 0 }, { rows, scrollback, minDrop: this.o.minDrop, inPlace: true });
    const kept = done ? data.subarray(0, done.bytes.length) : data;
    if (done) this.dropped += done.dropped;
    this.pending = [kept];
    this.pendingBytes = kept.length;
    this.compactedAt = kept.length;
  }

  /** Lets the compaction buffer go once no compaction has used it for a while. */
  private letArenaGo(): void {
    this.arenaTimer = setTimeout(() => {
      if (performance.now() - this.arenaUsedAt < ARENA_IDLE_MS) return this.letArenaGo();
      this.arenaTimer = undefined;
      this.arena = undefined;
    }, ARENA_IDLE_MS);
    this.arenaTimer.unref?.();
  }

  /** Whether `chunk` lies in the compaction buffer, which the next compaction overwrites. */
  private inArena(chunk: Buffer): boolean {
    return this.arena !== undefined && chunk.buffer === this.arena.buffer;
  }

  /** The browser's terminal was ready (parser between sequences, cursor in the scroll region) after `offset` bytes. */
  ready(offset: unknown): void {
    if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0 || offset > this.scanner.offset) return;
    if (offset > this.readyAt) this.readyAt = offset;
  }

  /**
   * The browser has rendered `bytes` more. Only a whole number of bytes it was sent and has not
   * acknowledged yet counts: anything else (10^15 from a client that reads nothing, a negative
   * number, a string) credits nothing, since it would let the source run without the browser.
   */
  ack(bytes: unknown): void {
    if (typeof bytes !== "number" || !Number.isSafeInteger(bytes) || bytes <= 0 || bytes > this.unacked) return;
    this.unacked -= bytes;
    this.catchUp();
  }

  /** Releases held output and resumes the source once the browser and the socket have caught up. */
  private catchUp(): void {
    if (this.stopped) return;
    if (this.holding && this.caughtUp()) {
      // What was held since the last compaction goes compacted too: the browser gets a screenful
      // and the scrollback, not the megabytes that came while it was busy.
      if (this.canDrop() && this.pendingBytes - this.compactedAt >= this.o.minDrop) this.compactHeld();
      this.holding = false;
      this.flush();
    }
    if (this.paused && this.caughtUp() && this.pendingBytes <= this.o.holdMax) {
      this.paused = false;
      this.o.resume();
    }
    this.watchBacklog();
  }

  /**
   * The browser went away: drops what it was never sent and lets the source flow again (its
   * acknowledgements will never come). A pump for the next browser starts afresh.
   */
  stop(): void {
    this.stopped = true;
    this.arena = undefined;
    if (this.arenaTimer !== undefined) clearTimeout(this.arenaTimer);
    clearTimeout(this.backlogTimer);
    this.backlogTimer = undefined;
    this.pending = [];
    this.pendingBytes = 0;
    this.unacked = 0;
    if (this.paused) {
      this.paused = false;
      this.o.resume();
    }
  }
}
