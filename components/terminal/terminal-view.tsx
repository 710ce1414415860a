"use client";

import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";
import { useEffect, useRef } from "react";
import { io } from "socket.io-client";

export type TerminalState =
  | { kind: "connecting" }
  | { kind: "open"; command: string }
  | { kind: "ended"; code: number | null; reason: string }
  | { kind: "error"; message: string };

/**
 * xterm.js bound to one shell over the /terminal Socket.IO namespace. Output arrives as bytes and
 * is written as bytes (xterm decodes UTF-8 across chunk edges); each chunk is acknowledged once
 * rendered, which is the server's flow control. Unmounting disconnects, which ends the shell.
 */
export default function TerminalView({
  container,
  command,
  user,
  onState,
}: {
  container: string;
  command: string;
  user: string;
  onState: (state: TerminalState) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const report = useRef(onState);
  useEffect(() => {
    report.current = onState;
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
    fit.fit();
    term.focus();

    const socket = io("/terminal", { transports: ["websocket", "polling"], reconnection: false, forceNew: true });
    let finished = false;
    const fail = (message: string) => {
      if (finished) return;
      finished = true;
      term.write(`\r\n\x1b[31m${message}\x1b[0m\r\n`);
      report.current({ kind: "error", message });
    };

    socket.on("connect", () => {
      report.current({ kind: "connecting" });
      socket.emit(
        "open",
        { container, command: command || undefined, user: user || undefined, cols: term.cols, rows: term.rows },
        (ack: { ok: true; command: string } | { ok: false; error: string }) => {
          if (ack.ok) report.current({ kind: "open", command: ack.command });
          else fail(ack.error);
        },
      );
    });
    socket.on("connect_error", (err) =>
      fail(err.message === "unauthorized" ? "Not logged in, or this page comes from another origin: reload and log in." : `Cannot connect to the dashboard: ${err.message}`),
    );
    socket.on("output", (data: ArrayBuffer) => {
      const bytes = new Uint8Array(data);
      term.write(bytes, () => socket.emit("ack", bytes.length));
    });
    socket.on("exit", (info: { code: number | null; reason: string }) => {
      if (finished) return;
      finished = true;
      term.write(`\r\n\x1b[33m${info.reason}${info.code !== null ? ` Exit code ${info.code}.` : ""}\x1b[0m\r\n`);
      report.current({ kind: "ended", code: info.code, reason: info.reason });
    });
    socket.on("disconnect", (reason) => {
      if (reason !== "io client disconnect") fail("Lost the connection to the dashboard server.");
    });

    const input = term.onData((data) => socket.emit("input", data));
    const binary = term.onBinary((data) => socket.emit("input", Uint8Array.from(data, (c) => c.charCodeAt(0))));
    const resize = term.onResize(({ cols, rows }) => socket.emit("resize", { cols, rows }));
    const observer = new ResizeObserver(() => {
      try {
        fit.fit();
      } catch {
        // The element is being removed.
      }
    });
    observer.observe(element);

    return () => {
      observer.disconnect();
      input.dispose();
      binary.dispose();
      resize.dispose();
      socket.disconnect();
      term.dispose();
    };
  }, [container, command, user]);

  return <div ref={host} data-testid="terminal" className="h-full w-full overflow-hidden bg-[#0f172a] p-1" />;
}
