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
