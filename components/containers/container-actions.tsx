"use client";

import Link from "next/link";
import { useRef, useState } from "react";
import { ActionsMenu } from "@/components/ui/actions-menu";
import { Button } from "@/components/ui/button";
import { useAction } from "@/components/ui/use-action";
import { ConfirmDialog, useKeepFocus } from "@/components/ui/modal";
import { canResume, canShell, canStart, canStop, heldForCommit } from "@/lib/shared/status";
import type { HostContainer } from "@/lib/shared/containers";
import type { ActionResult } from "@/lib/shared/results";
import { isActive, type PackageJob } from "@/lib/shared/tarballs";
import { envNameProblem } from "@/lib/shared/validation";
import { createTarballAction } from "@/components/tarballs/actions";
import { TarNoteButton } from "@/components/tarballs/tar-note-button";
import { useRefreshJobs } from "@/components/tarballs/use-package-jobs";
import { ShellButton } from "@/components/terminal/shell-button";
import { adoptContainerAction, deleteContainerAction, resumeContainerAction, startContainerAction, stopContainerAction } from "./actions";
import { useRefreshContainers } from "./use-containers";
import { useEngineDown } from "@/components/query/live";

type Kind = "start" | "stop" | "resume" | "delete" | "tar" | "adopt";

const run: Record<Kind, (name: string) => Promise<ActionResult>> = {
  adopt: adoptContainerAction,
  start: startContainerAction,
  stop: stopContainerAction,
  resume: resumeContainerAction,
  delete: deleteContainerAction,
  tar: createTarballAction,
};

const doing: Record<Kind, string> = {
  adopt: "Adopting…",
  start: "Starting…",
  stop: "Stopping…",
  resume: "Resuming…",
  delete: "Deleting…",
  tar: "Packaging…",
};

/** Why Create Tar cannot package this container, or undefined when it can. */
function tarProblem(c: HostContainer): string | undefined {
  if (c.envName) return undefined;
  if (c.adoptable) return "Adopt this container first to package it.";
  const problem = envNameProblem(c.name);
  return problem
    ? `Cannot package: ${problem.replace("HakuRiver Container Name", "the container's name")}`
    : `Not an environment container of this dashboard; adopt it first.`;
}

/**
 * One row's actions: which one runs (its button shows pending until the action and the refresh
 * end), and the one reason another cannot be used now, in the order that matters to the user.
 */
function useRowActions(container: HostContainer) {
  const refreshContainers = useRefreshContainers();
  const refreshJobs = useRefreshJobs();
  const action = useAction();
  const [kind, setKind] = useState<Kind | null>(null);
  const pending = action.pending ? kind : null;
  const engineDown = useEngineDown();
  const act = (which: Kind) => {
    setKind(which);
    // Create Tar says how it goes in its progress row and its notice, not in a toast.
    action.run(() => run[which](container.name), {
      success: which === "tar" ? "none" : "toast",
      after: () => Promise.all([refreshContainers(), refreshJobs()]),
    });
  };
  const blocked = (which: Kind): string | undefined =>
    engineDown
      ? engineDown
      : pending !== null && pending !== which
        ? `Wait: ${doing[pending].replace("…", "")} ${container.name} is still in progress.`
        : undefined;
  return { pending, act, blocked };
}

/** The row's buttons, by state. */
export function ContainerActions({ container, job }: { container: HostContainer; job?: PackageJob }) {
  const { pending, act, blocked } = useRowActions(container);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useKeepFocus(root);
  const packaging = job !== undefined && isActive(job);
  const button = (kind: Kind, label: string, extra: { title?: string; variant?: "danger" } = {}) => {
    const reason = blocked(kind);
    return (
      <Button
        needs="operator"
        variant={extra.variant}
        onClick={() => (kind === "delete" ? setConfirmDelete(true) : act(kind))}
        pending={pending === kind}
        pendingLabel={doing[kind]}
        unavailable={!!reason}
        reason={reason}
        title={extra.title}
      >
        {label}
      </Button>
    );
  };
  const tarReason = packaging ? undefined : tarProblem(container) ?? blocked("tar");
  // While Create Tar holds the pause for its commit, Resume would break the snapshot; the shell waits a moment.
  const held = heldForCommit(container.state, packaging ? job.phase : undefined);
  return (
    <div ref={root}>
      {/* One line in the table (from 56rem, right-aligned so rows line up), wrapped under a stacked row. */}
      <ActionsMenu
        label={`Actions for ${container.name}`}
        className="justify-end sm:@max-4xl:justify-start"
        groupClassName="flex-wrap justify-end @max-4xl:justify-start @min-4xl:flex-nowrap"
      >
        {container.adoptable &&
          button("adopt", "Adopt", { title: `List ${container.name} with the environment containers from now on (for containers the Python host made)` })}
        {canStart(container.state) && button("start", "Start")}
        {canResume(container.state) && !held && button("resume", "Resume", { title: `Resume ${container.name} (it is paused: its processes are frozen)` })}
        {canStop(container.state) && button("stop", "Stop")}
        <Button
          needs="operator"
          onClick={() => act("tar")}
          pending={pending === "tar" || packaging}
          pendingLabel="Packaging…"
          unavailable={!!tarReason}
          reason={packaging ? `A Create Tar of ${job.env} is running; its progress and Cancel are under this row.` : tarReason}
          title={`Package ${container.name} as a new version of ${container.envName} in shared storage`}
        >
          Create Tar
        </Button>
        {container.envName && <TarNoteButton container={container.name} unavailable={packaging || !!tarReason} />}
        {(canShell(container.state) || held) && (
          <ShellButton container={container.name} unavailable={held ? "Paused for Create Tar's commit: a shell opens again in a moment, once the commit is done." : undefined} />
        )}
        <DetailsLink container={container.name} />
        {button("delete", "Delete", { variant: "danger" })}
      </ActionsMenu>
      <DeleteConfirm
        open={confirmDelete}
        container={container}
        job={packaging ? job : undefined}
        onCancel={() => setConfirmDelete(false)}
        onConfirm={() => {
          setConfirmDelete(false);
          act("delete");
        }}
      />
    </div>
  );
}

function DetailsLink({ container }: { container: string }) {
  return (
    <Link
      href={`/docker/containers/${encodeURIComponent(container)}?view=logs`}
      title={`What ${container} printed and how it is configured`}
      className="inline-flex items-center justify-center rounded-md border border-slate-300 bg-white px-2.5 py-1 text-xs font-medium whitespace-nowrap text-slate-800 hover:bg-slate-50"
    >
      Logs / Inspect
    </Link>
  );
}

/** Delete's confirmation: what goes (the container), what stays (its tarballs, a running Create Tar's progress). */
function DeleteConfirm({ open, container, job, onCancel, onConfirm }: { open: boolean; container: HostContainer; job?: PackageJob; onCancel: () => void; onConfirm: () => void }) {
  return (
    <ConfirmDialog open={open} title={`Delete container ${container.name}?`} confirmLabel="Delete" onCancel={onCancel} onConfirm={onConfirm}>
      {job && (
        <p role="note" className="mb-3 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 font-medium text-amber-900">
          A Create Tar of {job.env} is running ({job.phase}). Its progress and Cancel stay in the list after the container is gone.
        </p>
      )}
      <p className="[overflow-wrap:anywhere]">
        The container is removed from this host{container.state === "running" ? " (it is running and will be stopped first)" : ""}.
      </p>
      <p className="mt-2">Tarballs already made from it in shared storage are kept.</p>
    </ConfirmDialog>
  );
}
