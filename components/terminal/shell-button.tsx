"use client";

import dynamic from "next/dynamic";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Modal } from "@/components/ui/modal";
import type { TerminalState } from "./terminal-view";

// xterm is loaded only when a shell is opened: it is not part of the page's first load.
const TerminalView = dynamic(() => import("./terminal-view"), {
  ssr: false,
  loading: () => <p className="p-4 text-sm text-slate-300">Loading terminal…</p>,
});

/** The row's Shell button and its terminal modal. */
export function ShellButton({ container }: { container: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button onClick={() => setOpen(true)} title={`Open a shell in ${container}`}>
        Shell
      </Button>
      <Modal open={open} onClose={() => setOpen(false)} title={`Shell: ${container}`} size="terminal">
        <ShellPanel container={container} onClose={() => setOpen(false)} />
      </Modal>
    </>
  );
}

function ShellPanel({ container, onClose }: { container: string; onClose: () => void }) {
  const [session, setSession] = useState({ key: 0, command: "", user: "" });
  const [command, setCommand] = useState("");
  const [user, setUser] = useState("");
  const [state, setState] = useState<TerminalState>({ kind: "connecting" });
  const reconnect = () => {
    setState({ kind: "connecting" });
    setSession((s) => ({ key: s.key + 1, command: command.trim(), user: user.trim() }));
  };
  const over = state.kind === "ended" || state.kind === "error";

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
          {state.kind === "open" && `Connected (${state.command === "auto" ? "bash or sh" : state.command}). Type exit to end the shell.`}
          {state.kind === "ended" && `Shell ended${state.code !== null ? ` (exit code ${state.code})` : ""}.`}
          {state.kind === "error" && "Not connected."}
        </p>
        {/* Escape belongs to the terminal (vim, less), so closing needs its own button. */}
        <Button onClick={onClose}>Close shell</Button>
      </form>
      <div className="relative min-h-0 flex-1 overflow-hidden rounded-md">
        <TerminalView key={session.key} container={container} command={session.command} user={session.user} onState={setState} />
        {over && (
          <div role="alert" className="absolute inset-x-0 bottom-0 flex flex-wrap items-center gap-3 bg-slate-900/95 px-4 py-3 text-sm text-slate-100">
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
