import "server-only";
import type Docker from "dockerode";
import { getFlavor } from "@/lib/config";
import { AppError, toAppError } from "@/lib/shared/errors";
import type { Flavor } from "@/lib/shared/flavor";
import { envNameProblem } from "@/lib/shared/validation";
import { addAdoption, readAdoptions, removeAdoptions, type Adoption } from "./adopted";
import { processWide } from "@/lib/runtime";
import { docker } from "./client";
import { fromDockerError, dockerMessage } from "./errors";
import { ensureImage, normalizedImage, untagImage } from "./images";
import { toContainerState } from "@/lib/shared/status";
import { compareContainers, type CreateEvent, type HostContainer } from "@/lib/shared/containers";
import { shownImageRef } from "@/lib/shared/image-refs";

/**
 * Which environment a container stands for, if any, and whether it is one of ours. Environment
 * containers are recognised by this flavour's labels (the ones this dashboard writes), by an
 * adoption, or — for KohakuRiver — by the `kohakuriver-env-<name>` names its host gives them.
 * A HakuRiver container with a valid environment name can be packaged (the Python host made its
 * containers that way) even before it is adopted.
 */
function environmentOf(name: string, labels: Record<string, string>, adoption: Adoption | undefined, flavor: Flavor) {
  // KohakuRiver labels its task containers `kohakuriver.managed` too: ours also carry the env label.
  const labelled = labels[flavor.labels.managed] === "true" && (flavor.name === "hakuriver" || flavor.labels.env in labels);
  const byName = flavor.envFromContainerName(name);
  const managed = labelled || adoption !== undefined || (flavor.name === "kohakuriver" && byName !== undefined);
  const envName = (labelled ? labels[flavor.labels.env] : undefined) ?? adoption?.env ?? byName;
  const adoptable = !managed && (byName !== undefined || envNameProblem(name) === undefined);
  return { managed, envName, adopted: adoption !== undefined, adoptable };
}

function toHostContainer(info: Docker.ContainerInfo, adoptions: Map<string, Adoption>, flavor: Flavor): HostContainer {
  const name = (info.Names?.[0] ?? info.Id.slice(0, 12)).replace(/^\//, "");
  return {
    id: info.Id,
    name,
    // As Docker shows it: Podman says localhost/… and docker.io/….
    image: shownImageRef(info.Image),
    state: toContainerState(info.State),
    statusText: info.Status ?? "",
    createdAt: new Date(info.Created * 1000).toISOString(),
    ...environmentOf(name, info.Labels ?? {}, adoptions.get(info.Id), flavor),
    ...(stoppedHere.has(info.Id) && { stoppedHere: true }),
  };
}

/**
 * Containers this server's Stop stopped, by ID: their exit 143 (SIGTERM) or 137 (SIGKILL after the
 * grace period) is the Stop itself, not a failure. Forgotten on Start and Delete (and on restart).
 */
const stoppedHere = processWide("containers.stoppedHere", () => new Set<string>());

/** The engine-side filter for this flavour's own environment containers. */
function ownFilter(flavor: Flavor): Record<string, string[]> {
  return flavor.name === "hakuriver"
    ? { label: [`${flavor.labels.managed}=true`] }
    : // Docker matches `name` as a regular expression against "/<name>".
      { name: [`^/${flavor.containerName("")}`] };
}

/**
 * Lists Host containers, newest first: by default the environment containers (this flavour's own,
 * and adopted ones), with `all` every container on the host. One Engine API call, two when
 * containers were adopted (Docker cannot OR a label filter with an ID filter).
 */
export async function listContainers(options: { all?: boolean } = {}): Promise<HostContainer[]> {
  const flavor = getFlavor();
  const adoptions = readAdoptions();
  try {
    let infos: Docker.ContainerInfo[];
    if (options.all) {
      infos = await docker().listContainers({ all: true });
    } else {
      const [own, adopted] = await Promise.all([
        docker().listContainers({ all: true, filters: ownFilter(flavor) }),
        adoptions.size > 0 ? docker().listContainers({ all: true, filters: { id: [...adoptions.keys()] } }) : [],
      ]);
      // Adopted containers that are gone (deleted outside the dashboard) leave the list.
      const present = new Set(adopted.map((c) => c.Id));
      removeAdoptions([...adoptions.keys()].filter((id) => !present.has(id)));
      const seen = new Set(own.map((c) => c.Id));
      infos = [...own, ...adopted.filter((c) => !seen.has(c.Id))];
    }
    return infos
      .map((info) => toHostContainer(info, adoptions, flavor))
      .filter((c) => options.all || c.managed)
      .sort(compareContainers);
  } catch (err) {
    throw fromDockerError(err, { kind: "container", name: "list" });
  }
}

/** One container by name or ID, in the table's shape. */
export async function getHostContainer(ref: string): Promise<HostContainer> {
  let infos: Docker.ContainerInfo[];
  try {
    const { Id } = await docker().getContainer(ref).inspect();
    infos = await docker().listContainers({ all: true, filters: { id: [Id] } });
  } catch (err) {
    throw fromDockerError(err, { kind: "container", name: ref });
  }
  if (!infos[0]) throw new AppError("not_found:container", `Container ${ref} was not found.`);
  return toHostContainer(infos[0], readAdoptions(), getFlavor());
}

/**
 * The environment a container is packaged as: its container name and environment name. Refuses,
 * with the reason, a container that stands for no environment.
 */
export async function environmentContainer(ref: string): Promise<{ container: string; env: string }> {
  const c = await getHostContainer(ref);
  if (c.envName) return { container: c.name, env: c.envName };
  const flavor = getFlavor();
  const problem = envNameProblem(c.name);
  throw new AppError(
    "bad_request:env",
    problem
      ? `Container ${c.name} cannot be packaged: ${problem.replace("HakuRiver Container Name", "its name")}`
      : `Container ${c.name} is not a ${flavor.name} environment container; adopt it first (Show all containers → Adopt).`,
  );
}

/**
 * Adopts a container made outside the dashboard (by the Python host, say) as the environment of
 * its name, so it shows in the managed list from now on. Refused when it already is one, when its
 * name is not an environment name, or when another container already stands for that environment.
 */
export async function adoptContainer(ref: string): Promise<HostContainer> {
  const c = await getHostContainer(ref);
  if (c.managed) throw new AppError("conflict:container", `${c.name} already is an environment container.`);
  const flavor = getFlavor();
  const env = flavor.envFromContainerName(c.name) ?? c.name;
  const problem = envNameProblem(env);
  if (problem) throw new AppError("bad_request:env", `${c.name} cannot be adopted: ${problem.replace("HakuRiver Container Name", "its name")}`);
  const other = (await listContainers()).find((o) => o.envName === env && o.id !== c.id);
  if (other) throw new AppError("conflict:container", `Environment ${env} already has a Host container (${other.name}).`);
  addAdoption(c.id, env);
  return getHostContainer(c.id);
}

/** Whether a container of that name exists (any state). */
export async function containerExists(name: string): Promise<boolean> {
  try {
    await docker().getContainer(name).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw fromDockerError(err, { kind: "container", name });
  }
}

// Docker answers 304 when the container is already in the asked-for state; that is success here.
const alreadyThere = (err: unknown) => (err as { statusCode?: number }).statusCode === 304;

export async function startContainer(ref: string): Promise<void> {
  try {
    await docker().getContainer(ref).start();
    stoppedHere.delete((await docker().getContainer(ref).inspect()).Id);
  } catch (err) {
    if (alreadyThere(err)) return;
    throw fromDockerError(err, { kind: "container", name: ref });
  }
}

/**
 * Stops a container. Containers made here run an init as PID 1, which honours SIGTERM at once;
 * others get Docker's usual grace period before SIGKILL.
 */
export async function stopContainer(ref: string): Promise<void> {
  try {
    const { Id } = await docker().getContainer(ref).inspect();
    stoppedHere.add(Id);
    await docker().getContainer(Id).stop({ t: 10 });
  } catch (err) {
    if (alreadyThere(err)) return;
    throw fromDockerError(err, { kind: "container", name: ref });
  }
}

/** Resumes a paused container (Docker's unpause). */
export async function unpauseContainer(ref: string): Promise<void> {
  try {
    await docker().getContainer(ref).unpause();
  } catch (err) {
    if (alreadyThere(err)) return;
    throw fromDockerError(err, { kind: "container", name: ref });
  }
}

/** Removes a container, running or not. Tarballs made from it are never touched. */
export async function deleteContainer(ref: string): Promise<void> {
  try {
    const { Id } = await docker().getContainer(ref).inspect();
    await docker().getContainer(Id).remove({ force: true });
    removeAdoptions([Id]);
    stoppedHere.delete(Id);
  } catch (err) {
    throw fromDockerError(err, { kind: "container", name: ref });
  }
}

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
    const output = await lastOutput(container);
    await discard();
    throw new AppError(
      "failed:start",
      `Container ${name} exited at once (code ${state.ExitCode})${output ? `: ${output}` : ""}. Does the image have sleep?`,
    );
  }
}

const START_SETTLE_MS = 300;

/** The last lines a stopped container printed, for an error message. */
async function lastOutput(container: Docker.Container): Promise<string> {
  try {
    const raw = (await container.logs({ stdout: true, stderr: true, tail: 5 })) as unknown as Buffer;
    // Non-TTY logs are multiplexed: 8-byte frame headers before each chunk.
    let text = "";
    for (let i = 0; i + 8 <= raw.length; ) {
      const size = raw.readUInt32BE(i + 4);
      text += raw.subarray(i + 8, i + 8 + size).toString("utf8");
      i += 8 + size;
    }
    return text.trim().split("\n").slice(-3).join(" ").slice(0, 300);
  } catch {
    return "";
  }
}
