"use client";

import { useState, useTransition } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/modal";
import { canShell, canStart, canStop } from "@/lib/docker/status";
import type { HostContainer } from "@/lib/docker/types";
import type { ActionResult } from "@/lib/actions";
import { isActive, type PackagingJob } from "@/lib/tarballs/types";
import { ENV_NAME_PATTERN } from "@/lib/validation";
import { createTarballAction } from "@/components/tarballs/actions";
import { useRefreshJobs } from "@/components/tarballs/use-packaging";
import { ShellButton } from "@/components/terminal/shell-button";
import { deleteContainerAction, startContainerAction, stopContainerAction } from "./actions";
import { useRefreshContainers } from "./use-containers";

type Kind = "start" | "stop" | "delete" | "tar";

const run: Record<Kind, (name: string) => Promise<ActionResult>> = {
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

  const busy = pending !== null;
  return (
    <div className="flex justify-end gap-1.5">
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
        unavailable={(busy && pending !== "tar") || !ENV_NAME_PATTERN.test(container.name)}
        title={
          ENV_NAME_PATTERN.test(container.name)
            ? `Package ${container.name} as a new tarball in shared storage`
            : "Only containers with a lowercase HakuRiver name can be packaged."
        }
      >
        Create Tar
      </Button>
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
      </ConfirmDialog>
    </div>
  );
}
