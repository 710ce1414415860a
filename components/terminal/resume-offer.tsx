"use client";

import { forwardRef } from "react";
import { Button } from "@/components/ui/button";
import { startedAtLabel, type ShellSummary } from "@/lib/shared/shells";

/** "bash as root": what a shell runs and as whom. */
export function shellLabel(shell: Pick<ShellSummary, "program" | "user">): string {
  return `${shell.program} as ${shell.user}`;
}

/**
 * Shells of this login session still running in the container: resume one, end one, or open a new
 * one. The terminal keeps the focus (what is typed meanwhile is kept for the shell chosen, and an
 * Enter typed ahead must not press a button here); Ctrl+Shift+L reaches the buttons.
 */
export const ResumeOffer = forwardRef<HTMLDivElement, { shells: ShellSummary[]; onChoose: (id: string | null) => void; onEnd: (id: string) => void }>(
  function ResumeOffer({ shells, onChoose, onEnd }, ref) {
    return (
      <div ref={ref} role="group" aria-label="Resume a shell" className="absolute inset-0 z-10 flex items-center justify-center bg-slate-900/80 p-4">
        <div className="flex max-w-md flex-col gap-3 rounded-lg bg-white p-4 text-sm text-slate-800 shadow-lg">
          <p>
            {shells.length === 1 ? "A shell you opened here is still running." : "Shells you opened here are still running."} What you type now goes
            to the one you choose.
          </p>
          {shells.map((s) => (
            <div key={s.id} className="flex gap-2">
              <Button variant="primary" size="md" className="flex-1" onClick={() => onChoose(s.id)}>
                Resume session started {startedAtLabel(s.startedAt)} ({shellLabel(s)}){s.attached ? " (open elsewhere)" : ""}
              </Button>
              <Button size="md" aria-label={`End the session started ${startedAtLabel(s.startedAt)}`} onClick={() => onEnd(s.id)}>
                End it
              </Button>
            </div>
          ))}
          <Button size="md" onClick={() => onChoose(null)}>
            New shell
          </Button>
        </div>
      </div>
    );
  },
);
