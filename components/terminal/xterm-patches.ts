import type { Terminal } from "@xterm/xterm";

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
