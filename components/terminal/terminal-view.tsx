"use client";

import { FitAddon } from "@xterm/addon-fit";
import { WebglAddon } from "@xterm/addon-webgl";
import { Terminal } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";
import { useEffect, useRef, useState } from "react";
import { io } from "socket.io-client";
import { Button } from "@/components/ui/button";
import { TerminalWriter } from "@/lib/shared/terminal-writer";
import { skipEmptySelectionRedraws } from "./xterm-patches";
import { SHELL_STORAGE_KEY, startedAtLabel, type ListAck, type OpenAck, type ShellSummary } from "@/lib/shared/shells";

export type TerminalState =
  | { kind: "connecting" }
  | { kind: "choose" }
  | { kind: "open"; command: string; resumedFrom?: number }
  | { kind: "reconnecting" }
  | { kind: "ended"; code: number | null; reason: string }
  | { kind: "error"; message: string };

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

/**
 * xterm.js bound to one shell over the /terminal Socket.IO namespace.
 *
 * Output arrives as bytes and goes to xterm as bytes (it decodes UTF-8 across chunk edges) through
 * a TerminalWriter (lib/shared/terminal-writer.ts): slices of 16 KiB, each acknowledged once parsed (the
 * server's flow control), xterm rendering between them; when the page falls behind in a flood, the
 * lines that would scroll out unseen are dropped — exactly, the terminal ends as it would have — so
 * the shell runs at the engine's pace, not the page's. WebGL renders where the browser has it on a
 * GPU; the DOM renderer otherwise.
 *
 * The shell outlives the connection: a dropped socket reconnects and resumes it (within the
 * server's grace period), and `resumeId` resumes one after a reload. Unmounting (Close shell,
 * Reconnect) ends it. `onLeave` is the keyboard way out: Ctrl+Shift+L.
 */
export default function TerminalView({
  container,
  command,
  user,
  resumeId,
  onState,
  onLeave,
}: {
  container: string;
  command: string;
  user: string;
  /** A shell of this login session to resume instead of opening one. */
  resumeId?: string;
  onState: (state: TerminalState) => void;
  onLeave: () => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const screenText = useRef<HTMLPreElement>(null);
  const report = useRef(onState);
  const leave = useRef(onLeave);
  const choose = useRef<(id: string | null) => void>(() => {});
  const endOffered = useRef<(id: string) => void>(() => {});
  const [offer, setOffer] = useState<ShellSummary[]>([]);
  useEffect(() => {
    report.current = onState;
    leave.current = onLeave;
  });

  useEffect(() => {
    const element = host.current!;
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
    element.dataset.renderer = "dom";
    if (hardwareWebgl()) {
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
    // For tests and tools: under WebGL the screen is a canvas, so its text is mirrored (once per
    // rendered frame, the visible rows only) into a hidden element; the Terminal itself hangs on the host.
    (element as HTMLDivElement & { terminal?: Terminal }).terminal = term;
    const mirror = screenText.current!;
    // During a flood that is a frame's worth of string building every frame: at most every 50 ms,
    // and always after the last render.
    let mirrorTimer: ReturnType<typeof setTimeout> | undefined;
    let mirroredAt = 0;
    const updateMirror = () => {
      mirrorTimer = undefined;
      mirroredAt = performance.now();
      const buffer = term.buffer.active;
      const lines: string[] = [];
      for (let y = buffer.viewportY; y < buffer.viewportY + term.rows; y++) lines.push(buffer.getLine(y)?.translateToString(true) ?? "");
      mirror.textContent = lines.join("\n");
    };
    const rendered = term.onRender(() => {
      if (mirrorTimer !== undefined) return;
      const wait = 50 - (performance.now() - mirroredAt);
      if (wait <= 0) updateMirror();
      else mirrorTimer = setTimeout(updateMirror, wait);
    });
    fit.fit();
    term.focus();
    term.attachCustomKeyEventHandler((e) => {
      if (e.type === "keydown" && e.ctrlKey && e.shiftKey && !e.altKey && !e.metaKey && e.code === "KeyL") {
        e.preventDefault();
        leave.current();
        return false;
      }
      return true;
    });

    const socket = io("/terminal", {
      transports: ["websocket", "polling"],
      forceNew: true,
      reconnectionDelay: 300,
      reconnectionDelayMax: 3000,
    });
    // Output: queued and written in slices, each acknowledged once parsed; lines of a flood that
    // would scroll out unseen are dropped (and acknowledged) when the page falls behind.
    // Acknowledgements are not volatile: a volatile packet is dropped whenever the transport is
    // busy (a flood), and a lost ack would stall the flow control for good.
    const writer = new TerminalWriter(term, (bytes, readyAt) => socket.connected && socket.emit("ack", readyAt === undefined ? bytes : { bytes, readyAt }));
    (element as HTMLDivElement & { writer?: TerminalWriter }).writer = writer;
    let shellId: string | undefined;
    let graceMs = 60_000;
    let droppedAt: number | undefined;
    let finished = false;
    let everConnected = false;
    const remember = (id: string | null) => {
      try {
        if (id) sessionStorage.setItem(SHELL_STORAGE_KEY, JSON.stringify({ container, id }));
        else sessionStorage.removeItem(SHELL_STORAGE_KEY);
      } catch {
        // Storage may be off; only the automatic resume after a reload needs it.
      }
    };
    const fail = (message: string) => {
      if (finished) return;
      finished = true;
      socket.disconnect();
      term.write(`\r\n\x1b[31m${message}\x1b[0m\r\n`);
      report.current({ kind: "error", message });
    };
    const attached = (ack: Extract<OpenAck, { ok: true }>, resumed: boolean) => {
      shellId = ack.id;
      graceMs = ack.graceSeconds * 1000;
      term.options.scrollback = ack.scrollback;
      remember(ack.id);
      report.current({ kind: "open", command: ack.command, resumedFrom: resumed ? ack.startedAt : undefined });
      term.focus();
    };
    const size = () => ({ cols: term.cols, rows: term.rows });

    const openNew = () => {
      report.current({ kind: "connecting" });
      socket.emit("open", { container, command: command || undefined, user: user || undefined, ...size() }, (ack: OpenAck) => {
        if (ack.ok) attached(ack, false);
        else fail(ack.error);
      });
    };
    const resume = (id: string, onRefused: (error: string) => void) => {
      // What the resumed shell replays is drawn on a clean screen (and holds what was still queued).
      writer.reset();
      term.reset();
      socket.emit("resume", { id, ...size() }, (ack: OpenAck) => {
        if (ack.ok) attached(ack, true);
        else onRefused(ack.error);
      });
    };
    let offered: ShellSummary[] = [];
    const showOffer = (shells: ShellSummary[]) => {
      offered = shells;
      setOffer(shells);
    };
    choose.current = (id) => {
      showOffer([]);
      if (id) resume(id, (error) => fail(error));
      else openNew();
    };
    endOffered.current = (id) => {
      socket.emit("close-shell", { id });
      showOffer(offered.filter((s) => s.id !== id));
      if (offered.length === 0) openNew();
    };
    /** A new shell, unless this login session has one here to resume: then the user chooses. */
    const offerOrOpen = () => {
      if (command || user) return openNew();
      socket.emit("list", { container }, (ack: ListAck) => {
        if (!ack.ok || ack.shells.length === 0) return openNew();
        showOffer(ack.shells.slice(0, 3));
        report.current({ kind: "choose" });
      });
    };

    socket.on("connect", () => {
      droppedAt = undefined;
      if (shellId) {
        // Back after a dropped connection: the same shell, with what it printed meanwhile.
        return resume(shellId, (error) => fail(`The connection was lost and the shell could not be resumed: ${error}`));
      }
      if (everConnected) return;
      everConnected = true;
      if (resumeId) {
        resume(resumeId, () => {
          term.write("\x1b[33mThe shell from before the reload has ended.\x1b[0m\r\n");
          remember(null);
          offerOrOpen();
        });
      } else {
        offerOrOpen();
      }
    });
    socket.on("connect_error", (err) => {
      if (err.message === "unauthorized" || /Not logged in/.test(err.message)) {
        return fail("Not logged in, or this page comes from another origin: reload and log in.");
      }
      if (!everConnected) fail(`Cannot connect to the dashboard: ${err.message}`);
    });
    socket.io.on("reconnect_attempt", () => {
      if (droppedAt !== undefined && Date.now() - droppedAt > graceMs) {
        fail("The connection was lost for longer than the shell waits; it has ended.");
      }
    });

    socket.on("output", (data: ArrayBuffer) => writer.push(new Uint8Array(data)));
    // A resume's replay holds the shell's old queries (a prompt asking where the cursor is): xterm
    // must not answer them again into the shell, so input is off until the replay is parsed.
    let replaying = false;
    socket.on("replay", (data: ArrayBuffer) => {
      const bytes = new Uint8Array(data);
      if (bytes.length === 0) return;
      replaying = true;
      writer.writeDirect(bytes, () => (replaying = false));
    });
    socket.on("exit", (info: { code: number | null; reason: string }) => {
      if (finished) return;
      finished = true;
      remember(null);
      socket.disconnect();
      term.write(`\r\n\x1b[33m${info.reason}${info.code !== null ? ` Exit code ${info.code}.` : ""}\x1b[0m\r\n`);
      report.current({ kind: "ended", code: info.code, reason: info.reason });
    });
    socket.on("moved", () => {
      remember(null);
      fail("This shell was resumed in another window.");
    });
    socket.on("disconnect", (reason) => {
      if (finished || reason === "io client disconnect") return;
      if (reason === "io server disconnect") return fail("The dashboard server closed this connection.");
      // Socket.IO reconnects by itself; the shell waits on the server meanwhile.
      droppedAt ??= Date.now();
      report.current({ kind: "reconnecting" });
    });

    // Keys typed while the connection is down are dropped, not replayed into a resumed shell late.
    const send = (data: string | Uint8Array) => {
      if (socket.connected && !replaying) socket.emit("input", data);
    };
    const input = term.onData(send);
    const binary = term.onBinary((data) => send(Uint8Array.from(data, (c) => c.charCodeAt(0))));
    const resize = term.onResize(({ cols, rows }) => socket.connected && socket.emit("resize", { cols, rows }));
    const observer = new ResizeObserver(() => {
      try {
        fit.fit();
      } catch {
        // The element is being removed.
      }
    });
    observer.observe(element);

    return () => {
      // Unmounted by the page (Close shell, Reconnect): end the shell now. A reload never gets
      // here, so its shell waits for the page that comes back.
      observer.disconnect();
      writer.dispose();
      rendered.dispose();
      clearTimeout(mirrorTimer);
      input.dispose();
      binary.dispose();
      resize.dispose();
      term.dispose();
      socket.removeAllListeners();
      if (!finished && socket.connected) {
        // Disconnect once the close is in (sent together, the close could be dropped).
        const done = () => socket.disconnect();
        socket.timeout(3000).emit("close-shell", null, done);
      } else {
        socket.disconnect();
      }
    };
  }, [container, command, user, resumeId]);

  return (
    <div className="relative h-full w-full">
      <div
        ref={host}
        data-testid="terminal"
        aria-keyshortcuts="Control+Shift+L"
        className="h-full w-full overflow-hidden bg-[#0f172a] p-1"
      />
      <pre ref={screenText} data-testid="terminal-screen" aria-hidden className="sr-only" />
      {offer.length > 0 && (
        <div role="group" aria-label="Resume a shell" className="absolute inset-0 z-10 flex items-center justify-center bg-slate-900/80 p-4">
          <div className="flex max-w-md flex-col gap-3 rounded-lg bg-white p-4 text-sm text-slate-800 shadow-lg">
            <p>{offer.length === 1 ? "A shell you opened here is still running." : "Shells you opened here are still running."}</p>
            {offer.map((s, i) => (
              <div key={s.id} className="flex gap-2">
                <Button variant="primary" size="md" className="flex-1" autoFocus={i === 0} onClick={() => choose.current(s.id)}>
                  Resume session started {startedAtLabel(s.startedAt)}
                  {s.attached ? " (open elsewhere)" : ""}
                </Button>
                <Button size="md" aria-label={`End the session started ${startedAtLabel(s.startedAt)}`} onClick={() => endOffered.current(s.id)}>
                  End it
                </Button>
              </div>
            ))}
            <Button size="md" onClick={() => choose.current(null)}>
              New shell
            </Button>
          </div>
        </div>
      )}
    </div>
  );
}
