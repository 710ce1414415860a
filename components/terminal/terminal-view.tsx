"use client";

import "@xterm/xterm/css/xterm.css";
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { TerminalWriter } from "@/lib/shared/terminal-writer";
import type { ShellSummary } from "@/lib/shared/shells";
import { ResumeOffer } from "./resume-offer";
import { ShellSessionClient, type SessionState, type SessionView } from "./session-client";
import { connectShellSocket } from "./shell-socket";
import { rememberShell } from "./shell-storage";
import { mountTerminal, type MountedTerminal } from "./xterm-mount";

export type { SessionState } from "./session-client";

const TONES = { info: "36", warning: "33", error: "31" } as const;

/**
 * Binds a session to the terminal on screen. Output goes to xterm as bytes (it decodes UTF-8 across
 * chunk edges) through a TerminalWriter (lib/shared/terminal-writer.ts): slices acknowledged once
 * parsed (the server's flow control), a flood's unseen lines dropped when the page falls behind.
 * While the connection is down the terminal takes no keys.
 */
function sessionView(mounted: MountedTerminal, writer: TerminalWriter, container: string, report: (state: SessionState) => void): SessionView {
  const { term, queries } = mounted;
  let choosing = false;
  return {
    state: (state) => {
      term.options.disableStdin = state.phase === "reconnecting" || state.phase === "ended";
      if (state.phase === "attached") term.options.scrollback = state.shell.scrollback;
      // The offer's button had the focus and goes away: keys typed on go to the terminal (kept
      // until the shell is attached), not to the page.
      if ((choosing && state.phase !== "choosing") || state.phase === "attached") term.focus();
      choosing = state.phase === "choosing";
      report(state);
    },
    output: (bytes) => writer.push(bytes),
    replay: (bytes) => {
      if (bytes.length === 0) return;
      // The replay's old queries are not answered again into the shell (xterm-patches.ts).
      queries.active = true;
      writer.writeDirect(bytes, () => (queries.active = false));
    },
    clear: () => {
      writer.reset();
      term.reset();
    },
    notice: (text, tone) => term.write(`\r\n\x1b[${TONES[tone]}m${text}\x1b[0m\r\n`),
    remember: (id) => rememberShell(container, id),
    size: () => ({ cols: term.cols, rows: term.rows }),
  };
}

/** Opens xterm and a session on it; returns what ends both. */
function startSession(
  host: HTMLDivElement,
  mirror: HTMLElement,
  props: { container: string; command: string; user: string; resumeId?: string },
  callbacks: { state: (state: SessionState) => void; leave: () => void; client: (client: ShellSessionClient) => void },
): () => void {
  const mounted = mountTerminal(host, mirror, callbacks.leave);
  const { term } = mounted;
  const acks: { to?: ShellSessionClient } = {};
  // Acknowledgements are not volatile: a volatile packet is dropped whenever the transport is busy
  // (a flood), and a lost ack would stall the flow control for good.
  const writer = new TerminalWriter(term, (bytes, readyAt) => acks.to?.ack(readyAt === undefined ? bytes : { bytes, readyAt }));
  (host as HTMLDivElement & { writer?: TerminalWriter }).writer = writer;
  const session = new ShellSessionClient(connectShellSocket(), sessionView(mounted, writer, props.container, callbacks.state), {
    container: props.container,
    command: props.command,
    user: props.user,
    resumeId: props.resumeId,
  });
  acks.to = session;
  callbacks.client(session);
  const input = term.onData((data) => session.input(data));
  const binary = term.onBinary((data) => session.input(Uint8Array.from(data, (c) => c.charCodeAt(0))));
  const resize = term.onResize((size) => session.resize(size));
  return () => {
    input.dispose();
    binary.dispose();
    resize.dispose();
    writer.dispose();
    mounted.dispose();
    session.close();
  };
}

/**
 * xterm.js bound to one shell over the /terminal Socket.IO namespace (ShellSessionClient). The
 * shell outlives the connection: a dropped socket reconnects and resumes it (within the server's
 * grace period), and `resumeId` resumes one after a reload. Unmounting (Close shell, a new shell)
 * ends it. `onLeave` is the keyboard way out: Ctrl+Shift+L.
 *
 * xterm opens in a layout effect — before the browser paints the terminal — so that keys typed
 * the moment it shows are taken (and kept until the shell is attached).
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
  onState: (state: SessionState) => void;
  onLeave: () => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const screenText = useRef<HTMLPreElement>(null);
  const report = useRef(onState);
  const leave = useRef(onLeave);
  const client = useRef<ShellSessionClient | undefined>(undefined);
  const offerRef = useRef<HTMLDivElement>(null);
  const [offer, setOffer] = useState<ShellSummary[]>([]);
  useEffect(() => {
    report.current = onState;
    leave.current = onLeave;
  });

  useLayoutEffect(
    () =>
      startSession(
        host.current!,
        screenText.current!,
        { container, command, user, resumeId },
        {
          state: (state) => {
            setOffer(state.phase === "choosing" ? state.shells : []);
            report.current(state);
          },
          // The way out of the terminal: to the resume offer while it is shown, else to Close shell.
          leave: () => {
            const button = offerRef.current?.querySelector("button");
            if (button) button.focus();
            else leave.current();
          },
          client: (c) => (client.current = c),
        },
      ),
    [container, command, user, resumeId],
  );

  return (
    <div className="relative h-full w-full">
      <div
        ref={host}
        data-testid="terminal"
        aria-keyshortcuts="Control+Shift+L"
        className="h-full w-full overflow-hidden bg-[#0f172a] p-1"
      />
      <pre ref={screenText} data-testid="terminal-screen" aria-hidden className="sr-only" />
      {offer.length > 0 && <ResumeOffer ref={offerRef} shells={offer} onChoose={(id) => client.current?.choose(id)} onEnd={(id) => client.current?.endOffered(id)} />}
    </div>
  );
}
