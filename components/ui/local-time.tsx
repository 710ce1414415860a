"use client";

import { useSyncExternalStore } from "react";
import { relativeAge } from "./format";

// One clock for every timestamp on the page, ticking each 30 s: ages move, nothing re-renders per second.
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;
function subscribe(listener: () => void) {
  listeners.add(listener);
  now = Date.now();
  timer ??= setInterval(() => {
    now = Date.now();
    listeners.forEach((l) => l());
  }, 30_000);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** The current time on the client (ticking every 30 s); null during the server render. */
export function useNow(): number | null {
  return useSyncExternalStore(subscribe, () => now, () => null);
}

/**
 * A timestamp in the viewer's own time zone with its age ("Nov 28, 2026, 14:03 · 2 h ago"); the
 * server render shows UTC until hydration. `ageOnly` shows just the age, the date on hover.
 */
export function LocalTime({ iso, ageOnly = false }: { iso: string; ageOnly?: boolean }) {
  const clock = useNow();
  const date = new Date(iso);
  const text =
    clock !== null
      ? date.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" })
      : `${iso.slice(0, 16).replace("T", " ")} UTC`;
  const age = clock !== null ? relativeAge(iso, clock) : "";
  if (ageOnly) {
    return (
      <time dateTime={iso} title={text} className="whitespace-nowrap">
        {age || text}
      </time>
    );
  }
  // The date and the age each stay on one line ("04:26 PM" never splits); the age may go under the date.
  return (
    <time dateTime={iso} title={iso}>
      <span className="whitespace-nowrap">{text}</span>
      {age && (
        <>
          {" "}
          <span className="whitespace-nowrap text-slate-500">· {age}</span>
        </>
      )}
    </time>
  );
}
