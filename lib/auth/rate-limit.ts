import "server-only";
import { processWide } from "@/lib/runtime";

/**
 * Counts failed logins per client address in a sliding window. In memory: a restart forgets,
 * which is acceptable for one process guarding one token of 192 random bits.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  private recent(key: string, now: number): number[] {
    const kept = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (kept.length) this.failures.set(key, kept);
    else this.failures.delete(key);
    return kept;
  }

  /** Seconds until this key may try again, or 0 when it may now. */
  retryAfter(key: string, now = Date.now()): number {
    const recent = this.recent(key, now);
    if (recent.length < this.limit) return 0;
    return Math.ceil((recent[0] + this.windowMs - now) / 1000);
  }

  fail(key: string, now = Date.now()): void {
    const recent = this.recent(key, now);
    recent.push(now);
    this.failures.set(key, recent);
    if (this.failures.size > 10_000) {
      // Bound memory under a flood of distinct addresses: forget the oldest keys.
      for (const k of [...this.failures.keys()].slice(0, 5_000)) this.failures.delete(k);
    }
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }
}

/**
 * The login limiter, process-wide (lib/runtime.ts): server.ts's gate (which refuses blocked clients before reading
 * their bodies) and the login route in Next's bundle must count the same failures.
 */
export const loginLimiter: FailureLimiter = processWide("loginLimiter", () => new FailureLimiter(10, 5 * 60_000));
