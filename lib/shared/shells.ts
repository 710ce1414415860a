/**
 * What the /terminal namespace and the browser say to each other about shells (lib/terminal/socket.ts,
 * components/terminal/): the answers to `open`, `resume` and `list`.
 */

/** A shell the browser may resume (its own login session's, in one container). */
export interface ShellSummary {
  id: string;
  container: string;
  /** As asked: "auto" (bash, else sh) or a command line. */
  command: string;
  /** What runs: "bash", "sh" or the command line ("bash or sh" when the engine could not say which). */
  program: string;
  /** Who it runs as (the container's default when none was asked: "root" if the image names none). */
  user: string;
  /** Unix ms. */
  startedAt: number;
  /** A browser has it open right now (resuming it moves it here). */
  attached: boolean;
}

/** The shell a socket is attached to, as the open or resume answers it. */
export interface AttachedShell extends Omit<ShellSummary, "attached"> {
  /** Lines of scrollback the terminal should keep. */
  scrollback: number;
  /** How long the shell waits for a resume after the connection drops. */
  graceSeconds: number;
}

export type OpenAck = ({ ok: true } & AttachedShell) | { ok: false; error: string };

export type ListAck = { ok: true; shells: ShellSummary[] } | { ok: false; error: string };

/** Where a tab keeps its open shell, so that a reload resumes it (sessionStorage: this tab only). */
export const SHELL_STORAGE_KEY = "hakuriver.shell";

/** "14:02": when a shell started, in the browser's time zone, on a 24-hour clock. */
export function startedAtLabel(unixMs: number): string {
  return new Date(unixMs).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

/** The Shell button's and the terminal's keyboard way out of the terminal, as shown to the user. */
export const LEAVE_TERMINAL_KEYS = "Ctrl+Shift+L";
