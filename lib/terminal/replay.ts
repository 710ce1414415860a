import "server-only";

/**
 * The last `capacity` bytes of a shell's output, for a browser that comes back (reload, network
 * loss): a ring of bytes, copied in, so memory is bounded by the capacity whatever the source's
 * chunks hold on to. It grows by doubling up to the capacity, so a quiet shell costs little.
 */
export class ReplayBuffer {
  private buf = Buffer.alloc(0);
  /** Where the oldest byte is. */
  private start = 0;
  private length = 0;
  /** Older output was dropped to make room. */
  private dropped = false;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.length;
  }

  write(chunk: Buffer): void {
    if (this.capacity === 0 || chunk.length === 0) return;
    if (chunk.length >= this.capacity) {
      // Only its tail can be kept.
      this.ensure(this.capacity);
      chunk.copy(this.buf, 0, chunk.length - this.capacity);
      this.start = 0;
      this.length = this.capacity;
      this.dropped = true;
      return;
    }
    this.ensure(Math.min(this.capacity, this.length + chunk.length));
    const cap = this.buf.length;
    let end = (this.start + this.length) % cap;
    const first = Math.min(chunk.length, cap - end);
    chunk.copy(this.buf, end, 0, first);
    if (first < chunk.length) chunk.copy(this.buf, 0, first);
    end = this.length + chunk.length;
    if (end > cap) {
      // Overwrote the oldest bytes.
      this.start = (this.start + end - cap) % cap;
      this.length = cap;
      this.dropped = true;
    } else {
      this.length = end;
    }
  }

  /**
   * What is kept, oldest first. When older output was dropped, it starts after the first line
   * break in the first 4 KiB, so the replay does not open in the middle of a line or an escape
   * sequence (xterm copes either way).
   */
  contents(): Buffer {
    const out = this.ordered();
    if (this.dropped) {
      const nl = out.subarray(0, 4096).indexOf(0x0a);
      if (nl >= 0) return out.subarray(nl + 1);
    }
    return out;
  }

  /** Grows the ring (by doubling, at most to the capacity) to hold `needed` bytes, keeping order. */
  private ensure(needed: number): void {
    if (needed <= this.buf.length) return;
    let size = Math.max(16 * 1024, this.buf.length);
    while (size < needed) size *= 2;
    size = Math.min(size, this.capacity);
    const next = Buffer.alloc(size);
    this.ordered().copy(next, 0);
    this.buf = next;
    this.start = 0;
  }

  /** A copy of what is kept, oldest first. */
  private ordered(): Buffer {
    const cap = this.buf.length;
    const first = Math.min(this.length, cap - this.start);
    return Buffer.concat([this.buf.subarray(this.start, this.start + first), this.buf.subarray(0, this.length - first)], this.length);
  }
}
