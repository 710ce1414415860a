import type { Terminal } from "@xterm/xterm";

/* Patches and hooks on xterm.js, each a small piece with its reason. */

type SelectionHandler = (start: [number, number] | undefined, end: [number, number] | undefined, columnSelectMode: boolean) => void;

/**
 * xterm 6 refreshes the selection on every scroll, and its DOM renderer answers each refresh by
 * redrawing every row — selection or not. In a flood that is a second full redraw per frame (a
 * third of the page's time in Chromium profiles). This lets a refresh through only when a
 * selection is drawn or is to be drawn, which leaves what is shown unchanged.
 *
 * Internal API (`_core._renderService`), read defensively: if a later xterm moves it, nothing is
 * patched and xterm behaves as shipped.
 */
export function skipEmptySelectionRedraws(term: Terminal): void {
  const service = (term as unknown as { _core?: { _renderService?: { handleSelectionChanged?: SelectionHandler } } })._core?._renderService;
  const original = service?.handleSelectionChanged;
  if (!service || typeof original !== "function") return;
  // Unknown at first: the first refresh goes through.
  let drawn = true;
  service.handleSelectionChanged = (start, end, columnSelectMode) => {
    // A click leaves start = end: an empty selection, drawn as nothing.
    const selection = start !== undefined && end !== undefined && (start[0] !== end[0] || start[1] !== end[1]);
    if (!selection && !drawn) return;
    drawn = selection;
    original.call(service, start, end, columnSelectMode);
  };
}

interface Disposable {
  dispose(): void;
}

/** The parser hooks of an xterm Terminal, browser or headless. */
interface HookableTerminal {
  parser: {
    registerCsiHandler(id: { prefix?: string; intermediates?: string; final: string }, callback: () => boolean): Disposable;
    registerDcsHandler(id: { prefix?: string; intermediates?: string; final: string }, callback: () => boolean): Disposable;
    registerOscHandler(ident: number, callback: (data: string) => boolean): Disposable;
  };
}

export interface QueryGuard extends Disposable {
  /** While on, the terminal answers no query in what it parses. */
  active: boolean;
}

/** Sequences xterm answers into the shell's input: device attributes and status, cursor position, modes, window size, settings. */
const ANSWERED_CSI = [
  { final: "c" },
  { prefix: ">", final: "c" },
  { final: "n" },
  { prefix: "?", final: "n" },
  { intermediates: "$", final: "p" },
  { prefix: "?", intermediates: "$", final: "p" },
  { final: "t" },
];
/** Colour queries (`OSC 4;n;?`, `OSC 10;?` …): answered when their data holds a "?". */
const ANSWERED_OSC = [4, 10, 11, 12];

/**
 * A resume replays a shell's old output, and with it the queries a prompt or program made then
 * (where is the cursor, what terminal is this): answered again, the answers would reach the shell
 * as if typed. While `active`, these are swallowed by handlers that run before xterm's own — and
 * only these, so keys typed during a replay go to the shell as usual.
 */
export function guardReplayQueries(term: HookableTerminal): QueryGuard {
  const guard = { active: false, dispose: () => hooks.forEach((h) => h.dispose()) };
  const hooks: Disposable[] = [
    ...ANSWERED_CSI.map((id) => term.parser.registerCsiHandler(id, () => guard.active)),
    term.parser.registerDcsHandler({ intermediates: "$", final: "q" }, () => guard.active),
    ...ANSWERED_OSC.map((ident) => term.parser.registerOscHandler(ident, (data) => guard.active && data.includes("?"))),
  ];
  return guard;
}
