"use client";

import { useState } from "react";
import { useCreations } from "@/components/containers/creations";
import { PullProgress } from "@/components/containers/pull-progress";
import { Button } from "@/components/ui/button";
import { Modal } from "@/components/ui/modal";
import { useAction } from "@/components/ui/use-action";
import { creationActive } from "@/lib/shared/containers";
import { restoredName } from "@/lib/shared/tarball-names";
import { envNameProblem } from "@/lib/shared/validation";
import { versionContainerAction } from "./actions";

/**
 * New container from this version: loads the version under a tag of its own (`<repo>:v<timestamp>`,
 * never `:base`) and creates a Host container from it with the name the user picks. A later Create
 * Tar of that container makes the newest version: the way back from a broken one.
 */
export function VersionContainerButton({ file, env }: { file: string; env: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button needs="operator" onClick={() => setOpen(true)}>
        New container from this version
      </Button>
      <Modal open={open} onClose={() => setOpen(false)} title={`New container from ${file}`}>
        <VersionContainerForm file={file} env={env} onDone={() => setOpen(false)} />
      </Modal>
    </>
  );
}

function VersionContainerForm({ file, env, onDone }: { file: string; env: string; onDone: () => void }) {
  const [name, setName] = useState(() => restoredName(env));
  const [error, setError] = useState<string>();
  const [started, setStarted] = useState<string>();
  const { pending: busy, run } = useAction();
  const job = useCreations().find((c) => c.env === started);
  const running = job !== undefined && creationActive(job);
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const problem = envNameProblem(name.trim());
    setError(problem);
    if (problem) return;
    run(() => versionContainerAction(file, name.trim()), { success: "none", failure: "none", onFailure: (r) => setError(r.error), onSuccess: () => setStarted(name.trim()) });
  };
  if (job && job.phase === "done") {
    return (
      <div className="space-y-3 text-sm">
        <p role="status">
          {job.status} Create Tar of it makes the newest version of {job.env}.
        </p>
        <div className="flex justify-end">
          <Button variant="primary" size="md" onClick={onDone}>
            Done
          </Button>
        </div>
      </div>
    );
  }
  return (
    <form onSubmit={submit} noValidate className="space-y-3 text-sm">
      <p className="text-slate-600">
        Loads {file} into this host&apos;s engine under a tag of its own and creates a container from it. The image Runners use and the
        newest version of {env} are not touched.
      </p>
      <p className="text-slate-600">
        The name is the environment: a new name makes a new environment (its Create Tar makes <span className="font-mono">&lt;name&gt;-&lt;timestamp&gt;.tar</span>). To
        put this version back as <span className="font-mono">{env}</span> itself: delete the container {env} first (its tarballs are kept), create this one
        named <span className="font-mono">{env}</span>, then Create Tar it — it becomes the newest version Runners load.
      </p>
      <label className="block">
        <span className="font-medium">Container name</span>
        <input
          name="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          disabled={busy || running}
          aria-invalid={!!error}
          maxLength={63}
          className="mt-1 block w-full rounded-md border border-slate-300 px-2.5 py-1.5 font-mono text-sm"
        />
      </label>
      {error && <p role="alert" className="text-red-800 [overflow-wrap:anywhere]">{error}</p>}
      {job && (
        <div role="status" aria-label={`Loading ${file}`} className="text-xs">
          {/* The job's own words, as its row and the Jobs notices say them. */}
          <p className={`[overflow-wrap:anywhere] ${job.phase === "failed" ? "text-red-800" : "text-slate-700"}`}>{job.status}</p>
          {running && <PullProgress layers={job.layers} />}
        </div>
      )}
      <div className="flex justify-end gap-2">
        {/* Closing never stops a creation that has started: it goes on, in the Jobs notices and its row. */}
        <Button variant="ghost" size="md" onClick={onDone}>
          {job ? "Close" : "Cancel"}
        </Button>
        <button
          type="submit"
          disabled={busy || running}
          className="rounded-md border border-transparent bg-teal-700 px-3.5 py-2 text-sm font-medium text-white hover:bg-teal-800 disabled:opacity-50"
        >
          {busy || running ? "Creating…" : "Create container"}
        </button>
      </div>
    </form>
  );
}
