"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Modal } from "@/components/ui/modal";
import { useAction } from "@/components/ui/use-action";
import { NOTE_MAX_LENGTH, noteProblem } from "@/lib/shared/validation";
import { createTarballWithNoteAction } from "./actions";
import { useRefreshJobs } from "./use-package-jobs";

/**
 * Create Tar with a one-line note ("cuda 12.4 + torch 2.6"): it is written into the image (commit
 * message and the `<flavour>.note` label), so it travels with the tarball and `docker image inspect`
 * on a Runner shows it. Beside Create Tar, which stays one click.
 */
export function TarNoteButton({ container, unavailable, title }: { container: string; unavailable?: boolean; title?: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button needs="operator" onClick={() => setOpen(true)} unavailable={unavailable} title={title ?? `Package ${container} with a note`}>
        Package with note…
      </Button>
      <Modal open={open} onClose={() => setOpen(false)} title={`Package ${container} with a note`}>
        <NoteForm container={container} onDone={() => setOpen(false)} />
      </Modal>
    </>
  );
}

function NoteForm({ container, onDone }: { container: string; onDone: () => void }) {
  const [note, setNote] = useState("");
  const [error, setError] = useState<string>();
  const { pending: busy, run } = useAction();
  const refreshJobs = useRefreshJobs();
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const problem = noteProblem(note.trim());
    setError(problem);
    if (problem) return;
    run(() => createTarballWithNoteAction(container, note.trim()), { failure: "none", onFailure: (r) => setError(r.error), onSuccess: onDone, after: refreshJobs });
  };
  return (
    <form onSubmit={submit} noValidate className="space-y-3 text-sm">
      <label className="block">
        <span className="font-medium">Note</span>
        <input
          name="note"
          value={note}
          maxLength={NOTE_MAX_LENGTH}
          placeholder="cuda 12.4 + torch 2.6"
          onChange={(e) => setNote(e.target.value)}
          aria-invalid={!!error}
          aria-describedby="tar-note-hint"
          className="mt-1 block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm"
        />
        <span id="tar-note-hint" className="mt-1 block text-xs text-slate-500">
          One line, at most {NOTE_MAX_LENGTH} characters. Shown per version in Shared Tarballs and by docker image inspect on Runners.
        </span>
      </label>
      {error && <p role="alert" className="text-red-800">{error}</p>}
      <div className="flex justify-end gap-2">
        <Button variant="ghost" size="md" onClick={onDone}>Cancel</Button>
        <button
          type="submit"
          disabled={busy}
          className="rounded-md border border-transparent bg-teal-700 px-3.5 py-2 text-sm font-medium text-white hover:bg-teal-800 disabled:opacity-50"
        >
          {busy ? "Packaging…" : "Package"}
        </button>
      </div>
    </form>
  );
}
