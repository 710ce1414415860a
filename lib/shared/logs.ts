/** One line of a container's log as the Logs view shows it. */
export interface LogLine {
  /** "tty" for a TTY container, whose stdout and stderr the engine cannot tell apart. */
  stream: "stdout" | "stderr" | "tty";
  /** The engine's RFC 3339 timestamp, or "" when the line had none. */
  time: string;
  /** The line as printed, ANSI escapes included. */
  text: string;
}

export interface LogTail {
  container: string;
  tty: boolean;
  driver: string;
  /** How many lines were asked for. */
  tail: number;
  lines: LogLine[];
  /** The byte cap was reached before the last line: the newest lines are not here. */
  truncated: boolean;
  /** Set when the logging driver keeps nothing to read (`none`): the sentence to show. */
  noLogs?: string;
}

/** Lines the Logs page holds at most (its tail, older pages and followed lines together). */
export const MAX_PAGE_LINES = 5000;

/** The since/until presets the Logs view offers: "last 15 minutes" is `since=15m`. */
export const TIME_PRESETS = [
  { value: "5m", label: "Last 5 minutes" },
  { value: "15m", label: "Last 15 minutes" },
  { value: "1h", label: "Last hour" },
  { value: "24h", label: "Last 24 hours" },
  { value: "7d", label: "Last 7 days" },
] as const;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * A since/until bound as the engine takes it (Unix seconds, `seconds.nanoseconds` for a precise time):
 * a duration back from now (`15m`, `2h`, `7d`), a local date-time from a form (`2026-12-04T03:00`),
 * or an RFC 3339 time (a log line's own). Undefined for an empty value; an Error says what is wrong.
 */
export function logTimeBound(value: string, now = Date.now()): string | undefined | Error {
  const v = value.trim();
  if (v === "") return undefined;
  const ago = /^(\d{1,6})([smhd])$/.exec(v);
  if (ago) return String(Math.floor(now / 1000) - Number(ago[1]) * UNIT_SECONDS[ago[2]]);
  const exact = /^(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(v);
  if (exact) {
    const t = Date.parse(exact[1] + exact[3]);
    if (!Number.isNaN(t)) return `${Math.floor(t / 1000)}.${(exact[2] ?? "").padEnd(9, "0")}`;
  }
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(v)) {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return String(Math.floor(t / 1000));
  }
  return new Error(`"${v}" is not a time: use a date and time, or a duration such as 15m, 2h or 7d.`);
}
