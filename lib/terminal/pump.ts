import "server-only";

/**
 * A shell's output on its way to the browser: coalescing and flow control, apart from the socket.
 *
 * Coalescing: a chunk goes out on the next turn of the event loop (no added latency for a key
 * echo), but while output streams, chunks gather for a few ms into one message, since per-message
 * costs (framing, acks) dominate with a TTY's small writes.
 *
 * Flow control: output beyond `highWater` bytes the browser has not acknowledged pauses the source
 * until acknowledgements bring it under `lowWater`, so a `cat` of a large file cannot flood memory
 * or the page.
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
}

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
  private readonly o: Required<PumpOptions>;

  constructor(options: PumpOptions) {
    this.o = {
      highWater: 512 * 1024,
      lowWater: 128 * 1024,
      maxMessage: 64 * 1024,
      gatherMs: 4,
      streamingMs: 10,
      streamingBytes: 1024,
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

  /** Sends what is pending now (also before an exit message, so nothing arrives after it). */
  flush(): void {
    this.scheduled = false;
    if (this.pendingBytes === 0 || this.stopped) return;
    const chunk = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.lastFlush = performance.now();
    this.lastSize = chunk.length;
    this.unacked += chunk.length;
    this.o.send(chunk);
    if (!this.paused && this.unacked > this.o.highWater) {
      this.paused = true;
      this.o.pause();
    }
  }

  /** The browser has rendered `bytes` more. Anything but a positive finite number is ignored. */
  ack(bytes: unknown): void {
    if (typeof bytes !== "number" || !Number.isFinite(bytes) || bytes <= 0) return;
    this.unacked = Math.max(0, this.unacked - bytes);
    if (this.paused && this.unacked < this.o.lowWater) {
      this.paused = false;
      this.o.resume();
    }
  }

  /**
   * The browser went away: drops what it was never sent and lets the source flow again (its
   * acknowledgements will never come). A pump for the next browser starts afresh.
   */
  stop(): void {
    this.stopped = true;
    this.pending = [];
    this.pendingBytes = 0;
    this.unacked = 0;
    if (this.paused) {
      this.paused = false;
      this.o.resume();
    }
  }
}
