import "server-only";
import type Docker from "dockerode";
import { getFlavor } from "@/lib/config";
import { processWide } from "@/lib/runtime";
import { AppError, toAppError } from "@/lib/shared/errors";
import type { Flavor } from "@/lib/shared/flavor";
import type { CreateEvent, HostContainer } from "@/lib/shared/containers";
import { docker } from "./client";
import { containerExists, getHostContainer } from "./containers";
import { dockerMessage, fromDockerError } from "./errors";
import { ensureImage, normalizedImage, untagImage } from "./images";
import { readLogTail } from "./logs";

/*
 * Create New Container's engine work: the image (pulled if missing), the container with this
 * flavour's labels, its start and a look that it keeps running; and what a Cancel takes away again.
 * The job around it (progress, Cancel, the journal) is lib/docker/creations.ts.
 */

/**
 * How a creation can be cancelled. `signal` is looked at after every step (image there, container
 * created, started, settled) and whatever was made by then is removed. `commit` is asked once,
 * synchronously after the last look: it answers false when the signal has fired, and otherwise
 * makes its owner refuse Cancel from then on. So a Cancel is either in time and undone, or
 * refused — never accepted and then outrun by the creation.
 */
export interface CreationControl {
  signal: AbortSignal;
  commit: () => boolean;
  /** Told the container's ID as soon as it exists (so a crash before the commit can be undone at the next start). */
  made?: (id: string) => void;
}

/** What a creation has made so far: what a Cancel must take away again. */
interface Made {
  name: string;
  container?: Docker.Container;
  /** The image reference, when this creation pulled it (it was not there before). */
  pulled?: string;
}

/** Image references creations are using right now, counted: a cancelled pull leaves those alone. */
const imagesInUse = () => processWide("containers.creatingFrom", () => new Map<string, number>());
function holdImage(ref: string): () => void {
  imagesInUse().set(ref, (imagesInUse().get(ref) ?? 0) + 1);
  return () => {
    const n = (imagesInUse().get(ref) ?? 1) - 1;
    if (n > 0) imagesInUse().set(ref, n);
    else imagesInUse().delete(ref);
  };
}

/**
 * Undoes a cancelled creation: removes its container and, if it pulled the image, that tag (unless
 * another creation uses the image now). Returns the error to end the creation with: cancelled, or —
 * when something could not be removed — a failure naming what is left.
 */
async function undo(made: Made): Promise<AppError> {
  const left: string[] = [];
  if (made.container) {
    await made.container.remove({ force: true }).catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) left.push(`container ${made.name} (${dockerMessage(err)})`);
    });
  }
  // The last user is this creation itself (its count is released after the undo).
  if (made.pulled && (imagesInUse().get(made.pulled) ?? 0) <= 1) {
    await untagImage(made.pulled).catch((err: unknown) => left.push(`image ${made.pulled} (${toAppError(err).message})`));
  }
  if (left.length === 0) return new AppError("failed:cancelled", `Creating ${made.name} was cancelled.`);
  return new AppError("failed:docker", `Creating ${made.name} was cancelled, but Docker did not remove the ${left.join(" and the ")}; delete it by hand.`);
}

/**
 * Creates an environment container (named by the flavour: `<name>` for HakuRiver,
 * `kohakuriver-env-<name>` for KohakuRiver): pulls the image if it is not present (reporting
 * progress), creates it running an idle command under an init, and starts it. A container
 * that fails to start is removed, so nothing is left half-created; so is one whose creation is
 * cancelled (see CreationControl). Input must already be valid (see createContainerSchema).
 */
export async function createEnvironmentContainer(
  input: { image: string; name: string },
  onEvent: (event: CreateEvent) => void = () => {},
  control?: CreationControl,
): Promise<HostContainer> {
  const flavor = getFlavor();
  const made: Made = { name: flavor.containerName(input.name) };
  if (await containerExists(made.name)) {
    throw new AppError("conflict:container", `A container named ${made.name} already exists.`);
  }
  const release = holdImage(normalizedImage(input.image));
  const cancelled = () => control?.signal.aborted === true;
  try {
    const { ref: image, pulled } = await ensureImage(input.image, onEvent, control?.signal);
    if (pulled) made.pulled = image;
    if (cancelled()) throw await undo(made);

    onEvent({ type: "status", step: "creating", message: `Creating container ${made.name}` });
    made.container = await newContainer(made.name, image, input.name, flavor);
    control?.made?.(made.container.id);
    if (cancelled()) throw await undo(made);

    onEvent({ type: "status", step: "starting", message: `Starting container ${made.name}` });
    await startAndSettle(made.container, made.name);
    const result = await getHostContainer(made.container.id);
    // No await between this look and the commit: a Cancel lands before (undone) or after (refused).
    if (control && !control.commit()) throw await undo(made);
    return result;
  } finally {
    release();
  }
}

/** `docker create` of an environment container: the idle command under an init, with our labels. */
async function newContainer(name: string, image: string, env: string, flavor: Flavor): Promise<Docker.Container> {
  try {
    return await docker().createContainer({
      name,
      Image: image,
      // The environment only has to stay up for shells and commits; HakuRiver runs the same idle command.
      Cmd: ["sleep", "infinity"],
      Labels: { [flavor.labels.managed]: "true", [flavor.labels.env]: env },
      HostConfig: { Init: true },
    });
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 409) {
      throw new AppError("conflict:container", `A container named ${name} already exists.`, { cause: err });
    }
    throw fromDockerError(err, { kind: "container", name });
  }
}

/** Starts a new container and checks that it keeps running; one that does not is removed. */
async function startAndSettle(container: Docker.Container, name: string): Promise<void> {
  const discard = () =>
    container.remove({ force: true }).catch((removeErr) => {
      console.error(`[hakuriver] could not remove ${name} after a failed start:`, removeErr);
    });
  try {
    await container.start();
  } catch (err) {
    await discard();
    throw new AppError("failed:start", `Container ${name} could not start: ${dockerMessage(err)}`, { cause: err });
  }
  // Under an init, a missing or failing command is not a start error: the container starts and
  // exits at once. Look again shortly, so such a container is reported and removed, not listed.
  await new Promise((resolve) => setTimeout(resolve, START_SETTLE_MS));
  const state = await container.inspect().then((i) => i.State, () => undefined);
  if (state && !state.Running) {
    const output = await lastOutput(name);
    await discard();
    throw new AppError(
      "failed:start",
      `Container ${name} exited at once (code ${state.ExitCode})${output ? `: ${output}` : ""}. Does the image have sleep?`,
    );
  }
}

const START_SETTLE_MS = 300;

/** The last lines a stopped container printed, for an error message. */
async function lastOutput(name: string): Promise<string> {
  try {
    const { lines } = await readLogTail(name, { tail: 5 });
    return lines.slice(-3).map((l) => l.text).join(" ").slice(0, 300);
  } catch {
    return "";
  }
}
