"use client";

import { useState, useTransition } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/modal";
import { canShell, canStart, canStop } from "@/lib/shared/status";
import type { HostContainer } from "@/lib/shared/containers";
import type { ActionResult } from "@/lib/shared/results";
import { isActive, type PackagingJob } from "@/lib/shared/tarballs";
import { createTarballAction } from "@/components/tarballs/actions";
import { TarNoteButton } from "@/components/tarballs/tar-note-button";
import { useRefreshJobs } from "@/components/tarballs/use-packaging";
import { ShellButton } from "@/components/terminal/shell-button";
import { adoptContainerAction, deleteContainerAction, startContainerAction, stopContainerAction } from "./actions";
import { useRefreshContainers } from "./use-containers";
import { useEngineDown } from "@/components/query/live";

type Kind = "start" | "stop" | "delete" | "tar" | "adopt";

const run: Record<Kind, (name: string) => Promise<ActionResult>> = {
  adopt: adoptContainerAction,
  start: startContainerAction,
  stop: stopContainerAction,
  delete: deleteContainerAction,
  tar: createTarballAction,
};

/** The row's buttons, by state; the clicked one shows pending until the action and refresh end. */
export function ContainerActions({ container, job }: { container: HostContainer; job?: PackagingJob }) {
  const refreshContainers = useRefreshContainers();
  const refreshJobs = useRefreshJobs();
  const refresh = () => Promise.all([refreshContainers(), refreshJobs()]);
  const [pending, setPending] = useState<Kind | null>(null);
  const [, startTransition] = useTransition();
  const [confirmDelete, setConfirmDelete] = useState(false);

  const act = (kind: Kind) => {
    setPending(kind);
    startTransition(async () => {
      try {
        const result = await run[kind](container.name);
        if (!result.ok) toast.error(result.error);
        else if (kind !== "tar") toast.success(result.message);
      } catch {
        toast.error("The dashboard server did not answer. Is it still running?");
      } finally {
        await refresh();
        setPending(null);
      }
    });
  };

  const engineDown = useEngineDown();
  // While the engine does not answer, every button here would only fail: say why instead.
  const busy = pending !== null || !!engineDown;
  return (
    <div className="flex justify-end gap-1.5" title={engineDown}>
      {container.adoptable && (
        <Button
          onClick={() => act("adopt")}
          pending={pending === "adopt"}
          pendingLabel="Adopting…"
          unavailable={busy && pending !== "adopt"}
          title={`List ${container.name} with the environment containers from now on (for containers the Python host made)`}
        >
          Adopt
        </Button>
      )}
      {canStart(container.state) && (
        <Button onClick={() => act("start")} pending={pending === "start"} pendingLabel="Starting…" unavailable={busy && pending !== "start"}>
          Start
        </Button>
      )}
      {canStop(container.state) && (
        <Button onClick={() => act("stop")} pending={pending === "stop"} pendingLabel="Stopping…" unavailable={busy && pending !== "stop"}>
          Stop
        </Button>
      )}
      <Button
        onClick={() => act("tar")}
        pending={pending === "tar" || (job !== undefined && isActive(job))}
        pendingLabel="Packaging…"
        unavailable={(busy && pending !== "tar") || !container.envName}
        title={
          container.envName
            ? `Package ${container.name} as a new version of ${container.envName} in shared storage`
            : container.adoptable
              ? "Adopt this container first to package it."
              : "Only containers with a lowercase environment name (a–z, 0–9, '_', '.', '-', at most 63 characters) can be packaged."
        }
      >
        Create Tar
      </Button>
      {container.envName && <TarNoteButton container={container.name} unavailable={(busy && pending !== "tar") || (job !== undefined && isActive(job))} />}
      {canShell(container.state) && <ShellButton container={container.name} />}
      <Button
        variant="danger"
        onClick={() => setConfirmDelete(true)}
        pending={pending === "delete"}
        pendingLabel="Deleting…"
        unavailable={busy && pending !== "delete"}
      >
        Delete
      </Button>
      <ConfirmDialog
        open={confirmDelete}
        title={`Delete container ${container.name}?`}
        confirmLabel="Delete"
        onCancel={() => setConfirmDelete(false)}
        onConfirm={() => {
          setConfirmDelete(false);
          act("delete");
        }}
      >
        <p>
          The container is removed from this host{container.state === "running" ? " (it is running and will be stopped first)" : ""}.
        </p>
        <p className="mt-2">Tarballs already made from it in shared storage are kept.</p>
        {job && isActive(job) && <p className="mt-2 font-medium">A Create Tar of it is running and will fail.</p>}
      </ConfirmDialog>
    </div>
  );
}
