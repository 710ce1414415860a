"use client";

import dynamic from "next/dynamic";
import { useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { LEAVE_TERMINAL_KEYS, startedAtLabel } from "@/lib/shared/shells";
import { shellLabel } from "./resume-offer";
import type { SessionState } from "./session-client";

// xterm is loaded only when a shell is opened: it is not part of the page's first load.
const TerminalView = dynamic(() => import("./terminal-view"), {
  ssr: false,
  loading: () => <p className="p-4 text-sm text-slate-300">Loading terminal…</p>,
});

/** The status line: what the shell is doing, in one sentence. */
export function statusText(state: SessionState): string {
  switch (state.phase) {
    case "connecting":
      return "Connecting…";
    case "choosing":
      return `Resume a shell or open a new one (${LEAVE_TERMINAL_KEYS} reaches the choices).`;
    case "attaching":
      return state.resuming ? "Resuming the shell…" : "Opening a shell…";
    case "attached":
      return `${state.resumed ? `Resumed the session started ${startedAtLabel(state.shell.startedAt)}` : "Connected"}: ${shellLabel(state.shell)}. Type exit to end the shell.`;
    case "reconnecting":
      return "Connection lost: reconnecting. Input is paused; the shell keeps running.";
    case "ended":
      return state.failed ? "Not connected." : `Shell ended${state.code !== null ? ` (exit code ${state.code})` : ""}.`;
  }
}

/** The shell command and user to open a new shell with; "Open new shell" ends this one and opens it. */
function ShellSettings({ onOpen, status, closeRef, onClose }: { onOpen: (command: string, user: string) => void; status: string; closeRef: React.RefObject<HTMLSpanElement | null>; onClose: () => void }) {
  const [command, setCommand] = useState("");
  const [user, setUser] = useState("");
  return (
    <form
      className="flex flex-wrap items-end gap-2 text-xs"
      onSubmit={(e) => {
        e.preventDefault();
        onOpen(command.trim(), user.trim());
      }}
    >
      <label className="flex flex-col gap-0.5">
        <span className="font-medium text-slate-700">Shell command</span>
        <input
          value={command}
          onChange={(e) => setCommand(e.target.value)}
          placeholder="/bin/bash, else /bin/sh"
          className="w-56 rounded border border-slate-300 px-2 py-1 font-mono"
        />
      </label>
      <label className="flex flex-col gap-0.5">
        <span className="font-medium text-slate-700">User</span>
        <input value={user} onChange={(e) => setUser(e.target.value)} placeholder="default" className="w-32 rounded border border-slate-300 px-2 py-1 font-mono" />
      </label>
      <Button type="submit" title="End this shell and open a new one with these settings">
        Open new shell
      </Button>
      <p role="status" className="ml-auto self-center text-slate-600">
        {status}
      </p>
      {/* Escape belongs to the terminal (vim, less), so closing needs its own button. */}
      <span ref={closeRef} className="contents">
        <Button onClick={onClose}>Close shell</Button>
      </span>
    </form>
  );
}

/** The Shell modal's content: settings and status, the terminal, and what to do once the shell is over. */
export function ShellPanel({ container, resumeId, onClose }: { container: string; resumeId?: string; onClose: () => void }) {
  const [session, setSession] = useState({ key: 0, command: "", user: "", resumeId });
  const [state, setState] = useState<SessionState>({ phase: "connecting" });
  const closeButton = useRef<HTMLSpanElement>(null);
  const openNew = (command: string, user: string) => {
    setState({ phase: "connecting" });
    setSession((s) => ({ key: s.key + 1, command, user, resumeId: undefined }));
  };
  // The keyboard way out of the terminal (Tab and Escape belong to the shell): focus Close shell.
  const leaveTerminal = () => closeButton.current?.querySelector("button")?.focus();

  return (
    <div className="flex h-[min(75vh,48rem)] flex-col gap-2">
      <ShellSettings onOpen={openNew} status={statusText(state)} closeRef={closeButton} onClose={onClose} />
      <p className="text-xs text-slate-500">
        Tab and Escape go to the shell. <kbd className="rounded border border-slate-300 bg-slate-50 px-1 font-mono">{LEAVE_TERMINAL_KEYS}</kbd> moves
        the focus out of the terminal to Close shell; a reload or a lost connection keeps the shell running for a while, and opening it again resumes it.
      </p>
      <div className="relative min-h-0 flex-1 overflow-hidden rounded-md">
        <TerminalView
          key={session.key}
          container={container}
          command={session.command}
          user={session.user}
          resumeId={session.resumeId}
          onState={setState}
          onLeave={leaveTerminal}
        />
        {state.phase === "ended" && (
          <div role="alert" className="absolute inset-x-0 bottom-0 z-10 flex flex-wrap items-center gap-3 bg-slate-900/95 px-4 py-3 text-sm text-slate-100">
            <span>{state.failed ? state.reason : `${state.reason}${state.code !== null ? ` Exit code ${state.code}.` : ""}`}</span>
            <span className="ml-auto flex gap-2">
              <Button variant="primary" onClick={() => openNew(session.command, session.user)}>
                Reconnect
              </Button>
              <Button onClick={onClose}>Close</Button>
            </span>
          </div>
        )}
      </div>
    </div>
  );
}
