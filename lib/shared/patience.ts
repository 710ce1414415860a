/**
 * Asking something that may be slow without calling it dead: one try per timeout, each longer than
 * the last, until one answers. Only a try that ran out of time is repeated; any other failure
 * (nothing listening, no socket) is the answer. Pure: the caller supplies the question.
 */

/** The start-up check's timeouts: Podman's `/version` took 1.5–3.5 s on 2 busy CPUs. */
export const PATIENT_TIMEOUTS_MS: readonly number[] = [3_000, 6_000, 12_000];
/** An answer slower than this is reported as slow. */
export const SLOW_ANSWER_MS = 1_000;

export class TimedOut extends Error {
  constructor(readonly timeoutMs: number) {
    super(`No answer within ${timeoutMs / 1000} s.`);
    this.name = "TimedOut";
  }
}

export type Patient<T> =
  | { ok: true; value: T; /** How long the try that answered took. */ tookMs: number; tries: number }
  | { ok: false; error: unknown; tries: number; /** Every try timed out: the timeouts tried. */ timedOut?: readonly number[] };

/**
 * Calls `ask(timeoutMs, signal)` with each timeout in turn: the signal aborts at the timeout, and a
 * try that has not settled by then counts as timed out (whatever `ask` does with the signal).
 */
export async function askPatiently<T>(
  ask: (timeoutMs: number, signal: AbortSignal) => Promise<T>,
  timeouts: readonly number[] = PATIENT_TIMEOUTS_MS,
  now: () => number = () => performance.now(),
): Promise<Patient<T>> {
  let tries = 0;
  for (const timeoutMs of timeouts) {
    tries++;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort(new TimedOut(timeoutMs));
        reject(new TimedOut(timeoutMs));
      }, timeoutMs);
    });
    const started = now();
    try {
      const value = await Promise.race([ask(timeoutMs, controller.signal), deadline]);
      return { ok: true, value, tookMs: Math.round(now() - started), tries };
    } catch (error) {
      if (!controller.signal.aborted) return { ok: false, error, tries };
    } finally {
      clearTimeout(timer);
    }
  }
  return { ok: false, error: new TimedOut(timeouts.at(-1) ?? 0), tries, timedOut: timeouts };
}

/** "3.4 s", "850 ms". */
export function seconds(ms: number): string {
  return ms < 1_000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}
