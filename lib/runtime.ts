import "server-only";

/**
 * Process-wide state, one of each per process. server.ts (bundled by esbuild) and Next's route
 * bundles load `lib/` separately but run in one process, so module-scope variables would exist
 * once per bundle: a job started by a route would be invisible to the socket layer. Everything
 * that must be one per process (Create Tar jobs, shell sessions, login failures, revoked sessions,
 * the pinned container dir) is created here, on globalThis under a registered symbol.
 */
export function processWide<T>(name: string, create: () => T): T {
  const key = Symbol.for(`hakuriver.${name}`);
  const holder = globalThis as unknown as Record<symbol, T | undefined>;
  return (holder[key] ??= create());
}

/** A process-wide "something changed" signal: listeners are called on every `emit` (they throttle). */
export function processSignal(name: string): { on: (listener: () => void) => () => void; emit: () => void } {
  const listeners = processWide(`${name}.listeners`, () => new Set<() => void>());
  return {
    on: (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    emit: () => {
      for (const l of listeners) l();
    },
  };
}
