import { MAX_PAGE_LINES, type LogLine } from "./logs";

/**
 * The lines a Logs page holds, within MAX_PAGE_LINES: followed lines go at the end (the oldest
 * leave the page), older pages at the start (the newest leave it). Pure, so the rules are tested
 * apart from React.
 */
export interface HeldLine extends LogLine {
  /** Stable across appends and prepends: React's key. */
  key: number;
}

export interface LogPage {
  lines: HeldLine[];
  next: number;
  /** Lines at the start that left the page to make room (Load older brings them back). */
  droppedOldest: boolean;
  /** Lines at the end that left the page for older ones (Follow is then off: reload for the newest). */
  droppedNewest: boolean;
}

export function logPage(lines: LogLine[], cap = MAX_PAGE_LINES): LogPage {
  const kept = lines.slice(-cap);
  return { lines: kept.map((l, i) => ({ ...l, key: i })), next: kept.length, droppedOldest: false, droppedNewest: false };
}

/** New lines at the end; the oldest leave past the cap. */
export function appendLines(page: LogPage, lines: LogLine[], cap = MAX_PAGE_LINES): LogPage {
  if (lines.length === 0) return page;
  let next = page.next;
  const all = [...page.lines, ...lines.map((l) => ({ ...l, key: next++ }))];
  const over = Math.max(0, all.length - cap);
  return { ...page, lines: over ? all.slice(over) : all, next, droppedOldest: page.droppedOldest || over > 0 };
}

const same = (a: LogLine, b: LogLine) => a.time === b.time && a.text === b.text && a.stream === b.stream;

/**
 * An older page (read with `until` = the first line's time) before the lines held: the engine's
 * `until` includes lines at that very time, so the page's end is trimmed of the lines already
 * held. The newest leave past the cap.
 */
export function prependLines(page: LogPage, older: LogLine[], cap = MAX_PAGE_LINES): LogPage {
  let end = older.length;
  const firstTime = page.lines[0]?.time;
  const heldAtFirst = page.lines.filter((l) => l.time === firstTime);
  while (end > 0 && older[end - 1].time === firstTime && heldAtFirst.some((h) => same(h, older[end - 1]))) end--;
  let next = page.next;
  const fresh = older.slice(0, end).map((l) => ({ ...l, key: next++ }));
  const all = [...fresh, ...page.lines];
  const over = Math.max(0, all.length - cap);
  return { lines: over ? all.slice(0, cap) : all, next, droppedOldest: page.droppedOldest, droppedNewest: page.droppedNewest || over > 0 };
}

// ESC [ … final byte, and OSC … BEL/ST: what anser renders rather than shows.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)/g;

/** A line as it reads on screen, escapes removed: what Search looks in. */
export const plainText = (text: string) => text.replace(ANSI, "");

/** Indexes of the lines whose text contains `query` (case-insensitive), in order. */
export function matchingLines(lines: LogLine[], query: string): number[] {
  const q = query.toLowerCase();
  if (!q) return [];
  const found: number[] = [];
  lines.forEach((l, i) => {
    if (plainText(l.text).toLowerCase().includes(q)) found.push(i);
  });
  return found;
}
