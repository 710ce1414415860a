"use client";

import dynamic from "next/dynamic";
import { useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Modal } from "@/components/ui/modal";
import { LEAVE_TERMINAL_KEYS, SHELL_STORAGE_KEY, startedAtLabel } from "@/lib/shared/shells";
import type { TerminalState } from "./terminal-view";

// xterm is loaded only when a shell is opened: it is not part of the page's first load.
const TerminalView = dynamic(() => import("./terminal-view"), {
  ssr: false,
  loading: () => <p className="p-4 text-sm text-slate-300">Loading terminal…</p>,
});

/** The shell this tab had open in `container` before a reload, if any. */
function shellBeforeReload(container: string): string | undefined {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SHELL_STORAGE_KEY) ?? "null") as { container?: unknown; id?: unknown } | null;
    return saved?.container === container && typeof saved.id === "string" ? saved.id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The row's Shell button and its terminal modal. A reload with the modal open opens it again and
 * resumes the same shell; when the modal closes, focus goes back to this button.
 */
export function ShellButton({ container }: { container: string }) {
  const [open, setOpen] = useState<{ resumeId?: string } | null>(null);
  const wrapper = useRef<HTMLSpanElement>(null);
  const wasOpen = useRef(false);

  useEffect(() => {
    const id = shellBeforeReload(container);
    // sessionStorage exists only in the browser, after hydration.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    if (id) setOpen({ resumeId: id });
  }, [container]);

  useEffect(() => {
    if (open) wasOpen.current = true;
    else if (wasOpen.current) {
      wasOpen.current = false;
      wrapper.current?.querySelector("button")?.focus();
    }
  }, [open]);

  const close = () => {
    try {
      sessionStorage.removeItem(SHELL_STORAGE_KEY);
    } catch {
      // Storage may be off.
    }
    setOpen(null);
  };

  return (
    <>
      <span ref={wrapper} className="contents">
        <Button onClick={() => setOpen({})} title={`Open a shell in ${container}`}>
          Shell
        </Button>
      </span>
      <Modal open={!!open} onClose={close} title={`Shell: ${container}`} size="terminal">
        <ShellPanel container={container} resumeId={open?.resumeId} onClose={close} />
      </Modal>
    </>
  );
}

function ShellPanel({ container, resumeId, onClose }: { container: string; resumeId?: string; onClose: () => void }) {
  const [session, setSession] = useState({ key: 0, command: "", user: "", resumeId });
  const [command, setCommand] = useState("");
  const [user, setUser] = useState("");
  const [state, setState] = useState<TerminalState>({ kind: "connecting" });
  const closeButton = useRef<HTMLSpanElement>(null);
  const reconnect = () => {
    setState({ kind: "connecting" });
    setSession((s) => ({ key: s.key + 1, command: command.trim(), user: user.trim(), resumeId: undefined }));
  };
  const over = state.kind === "ended" || state.kind === "error";
  // The keyboard way out of the terminal (Tab and Escape belong to the shell): focus Close shell.
  const leaveTerminal = () => closeButton.current?.querySelector("button")?.focus();

  return (
    <div className="flex h-[min(75vh,48rem)] flex-col gap-2">
      <form
        className="flex flex-wrap items-end gap-2 text-xs"
        onSubmit={(e) => {
          e.preventDefault();
          reconnect();
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
        <Button type="submit">Reconnect</Button>
        <p role="status" className="ml-auto self-center text-slate-600">
          {state.kind === "connecting" && "Connecting…"}
          {state.kind === "choose" && "A shell of yours is still running here."}
          {state.kind === "open" &&
            `${state.resumedFrom !== undefined ? `Resumed the session started ${startedAtLabel(state.resumedFrom)}` : "Connected"} (${
              state.command === "auto" ? "bash or sh" : state.command
            }). Type exit to end the shell.`}
          {state.kind === "reconnecting" && "Connection lost: reconnecting (the shell keeps running)…"}
          {state.kind === "ended" && `Shell ended${state.code !== null ? ` (exit code ${state.code})` : ""}.`}
          {state.kind === "error" && "Not connected."}
        </p>
        {/* Escape belongs to the terminal (vim, less), so closing needs its own button. */}
        <span ref={closeButton} className="contents">
          <Button onClick={onClose}>Close shell</Button>
        </span>
      </form>
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
        {over && (
          <div role="alert" className="absolute inset-x-0 bottom-0 z-10 flex flex-wrap items-center gap-3 bg-slate-900/95 px-4 py-3 text-sm text-slate-100">
            <span>
              {state.kind === "ended"
                ? `${state.reason}${state.code !== null ? ` Exit code ${state.code}.` : ""}`
                : state.message}
            </span>
            <span className="ml-auto flex gap-2">
              <Button variant="primary" onClick={reconnect}>
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
