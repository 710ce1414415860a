import "server-only";

/** A counting semaphore: at most `slots` holders at once, the rest wait in order. */
export class Limit {
  private waiting: (() => void)[] = [];
  private busy = 0;

  constructor(private slots: number) {}

  /** Runs `work` when a slot is free. `signal` gives up waiting (and rejects) if aborted first. */
  async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    // A freed slot is handed straight to the next waiter, so nobody can slip in between.
    if (this.busy < this.slots) this.busy++;
    else {
      await new Promise<void>((resolve, reject) => {
        const go = () => {
          signal?.removeEventListener("abort", give);
          resolve();
        };
        const give = () => {
          this.waiting = this.waiting.filter((w) => w !== go);
          reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
        };
        if (signal?.aborted) return give();
        signal?.addEventListener("abort", give, { once: true });
        this.waiting.push(go);
      });
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.busy--;
    }
  }

  get active(): number {
    return this.busy;
  }
}
