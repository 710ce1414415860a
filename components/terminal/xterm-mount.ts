import { FitAddon } from "@xterm/addon-fit";
import { WebglAddon } from "@xterm/addon-webgl";
import { Terminal, type IDisposable } from "@xterm/xterm";
import { guardReplayQueries, skipEmptySelectionRedraws, type QueryGuard } from "./xterm-patches";

/**
 * xterm.js in a page element: the renderer, the fit to the element, the patches, the text mirror
 * that tests and tools read, and the keyboard way out. Knows nothing of shells or sockets.
 */
export interface MountedTerminal {
  readonly term: Terminal;
  /** Swallows the terminal's answers to queries while a resume's old output is drawn. */
  readonly queries: QueryGuard;
  dispose(): void;
}

/**
 * Whether WebGL2 runs on a GPU here. A software implementation (SwiftShader, llvmpipe: what a
 * browser without a usable GPU falls back to) renders a flood several times slower than xterm's
 * DOM renderer (measured: 1–2 MB/s against 8), so it counts as no WebGL.
 */
function hardwareWebgl(): boolean {
  try {
    const gl = document.createElement("canvas").getContext("webgl2", { failIfMajorPerformanceCaveat: true });
    if (!gl) return false;
    const info = gl.getExtension("WEBGL_debug_renderer_info");
    const renderer = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : "";
    gl.getExtension("WEBGL_lose_context")?.loseContext();
    return !/swiftshader|llvmpipe|softpipe|software|basic render/i.test(renderer);
  } catch {
    return false;
  }
}

/** WebGL where the browser has it on a GPU, the DOM renderer otherwise; `data-renderer` says which. */
function chooseRenderer(term: Terminal, element: HTMLElement): void {
  element.dataset.renderer = "dom";
  if (!hardwareWebgl()) return;
  try {
    const webgl = new WebglAddon();
    webgl.onContextLoss(() => {
      webgl.dispose();
      element.dataset.renderer = "dom";
    });
    term.loadAddon(webgl);
    element.dataset.renderer = "webgl";
  } catch {
    // WebGL2 failed after all: the DOM renderer stays.
  }
}

/**
 * For tests and tools: under WebGL the screen is a canvas, so its visible rows are mirrored into a
 * hidden element — at most every 50 ms (a flood renders every frame), and always after the last render.
 */
function mirrorScreen(term: Terminal, mirror: HTMLElement): IDisposable {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let mirroredAt = 0;
  const update = () => {
    timer = undefined;
    mirroredAt = performance.now();
    const buffer = term.buffer.active;
    const lines: string[] = [];
    for (let y = buffer.viewportY; y < buffer.viewportY + term.rows; y++) lines.push(buffer.getLine(y)?.translateToString(true) ?? "");
    mirror.textContent = lines.join("\n");
  };
  const rendered = term.onRender(() => {
    if (timer !== undefined) return;
    const wait = 50 - (performance.now() - mirroredAt);
    if (wait <= 0) update();
    else timer = setTimeout(update, wait);
  });
  return {
    dispose: () => {
      rendered.dispose();
      clearTimeout(timer);
    },
  };
}

/** Ctrl+Shift+L leaves the terminal (Tab and Escape belong to the shell). */
function leaveKey(term: Terminal, onLeave: () => void): void {
  term.attachCustomKeyEventHandler((e) => {
    if (e.type === "keydown" && e.ctrlKey && e.shiftKey && !e.altKey && !e.metaKey && e.code === "KeyL") {
      e.preventDefault();
      onLeave();
      return false;
    }
    return true;
  });
}

/** Opens xterm in `element`, fitted to it and focused, so keys typed from now on are taken. */
export function mountTerminal(element: HTMLElement, mirror: HTMLElement, onLeave: () => void): MountedTerminal {
  const term = new Terminal({
    cursorBlink: true,
    fontFamily: '"DejaVu Sans Mono", "Noto Sans Mono", ui-monospace, monospace',
    fontSize: 13,
    scrollback: 5000,
    theme: { background: "#0f172a", foreground: "#e2e8f0", cursor: "#5eead4" },
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(element);
  skipEmptySelectionRedraws(term);
  const queries = guardReplayQueries(term);
  chooseRenderer(term, element);
  // The Terminal hangs on its element for tests and tools.
  (element as HTMLElement & { terminal?: Terminal }).terminal = term;
  const mirroring = mirrorScreen(term, mirror);
  leaveKey(term, onLeave);
  fit.fit();
  term.focus();
  const observer = new ResizeObserver(() => {
    try {
      fit.fit();
    } catch {
      // The element is being removed.
    }
  });
  observer.observe(element);
  return {
    term,
    queries,
    dispose: () => {
      observer.disconnect();
      mirroring.dispose();
      queries.dispose();
      term.dispose();
    },
  };
}
