import "server-only";
import type Docker from "dockerode";
import { AppError } from "@/lib/errors";
import { docker } from "./client";
import { fromDockerError, dockerMessage } from "./errors";
import { ensureImage } from "./images";
import { toContainerState } from "./status";
import { LABEL_ENV, LABEL_MANAGED, type CreateEvent, type HostContainer } from "./types";

function toHostContainer(info: Docker.ContainerInfo): HostContainer {
  const labels = info.Labels ?? {};
  const managed = labels[LABEL_MANAGED] === "true";
  return {
    id: info.Id,
    name: (info.Names?.[0] ?? info.Id.slice(0, 12)).replace(/^\//, ""),
    image: info.Image,
    state: toContainerState(info.State),
    statusText: info.Status ?? "",
    createdAt: new Date(info.Created * 1000).toISOString(),
    managed,
    envName: managed ? labels[LABEL_ENV] : undefined,
  };
}

/**
 * Lists Host containers, newest first: by default those this dashboard made (label
 * hakuriver.managed=true), with `all` every container on the host. One Engine API call.
 */
export async function listContainers(options: { all?: boolean } = {}): Promise<HostContainer[]> {
  try {
    const infos = await docker().listContainers({
      all: true,
      ...(options.all ? {} : { filters: { label: [`${LABEL_MANAGED}=true`] } }),
    });
    // Newest first; ties by name. Sorted on Docker's numeric Created, before mapping.
    infos.sort((a, b) => b.Created - a.Created || (a.Names?.[0] ?? "").localeCompare(b.Names?.[0] ?? ""));
    return infos.map(toHostContainer);
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
  return toHostContainer(infos[0]);
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
    await docker().getContainer(ref).stop({ t: 10 });
  } catch (err) {
    if (alreadyThere(err)) return;
    throw fromDockerError(err, { kind: "container", name: ref });
  }
}

/** Removes a container, running or not. Tarballs made from it are never touched. */
export async function deleteContainer(ref: string): Promise<void> {
  try {
    await docker().getContainer(ref).remove({ force: true });
  } catch (err) {
    throw fromDockerError(err, { kind: "container", name: ref });
  }
}

/**
 * Creates a HakuRiver environment container: pulls the image if it is not present (reporting
 * progress), creates `name` running an idle command under an init, and starts it. A container
 * that fails to start is removed, so nothing is left half-created. Input must already be valid
 * (see createContainerSchema).
 */
export async function createEnvironmentContainer(
  input: { image: string; name: string },
  onEvent: (event: CreateEvent) => void = () => {},
): Promise<HostContainer> {
  const { name } = input;
  if (await containerExists(name)) {
    throw new AppError("conflict:container", `A container named ${name} already exists.`);
  }
  const image = await ensureImage(input.image, onEvent);

  onEvent({ type: "status", message: `Creating container ${name}` });
  let container: Docker.Container;
  try {
    container = await docker().createContainer({
      name,
      Image: image,
      // The environment only has to stay up for shells and commits; HakuRiver runs the same idle command.
      Cmd: ["sleep", "infinity"],
      Labels: { [LABEL_MANAGED]: "true", [LABEL_ENV]: name },
      HostConfig: { Init: true },
    });
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 409) {
      throw new AppError("conflict:container", `A container named ${name} already exists.`, { cause: err });
    }
    throw fromDockerError(err, { kind: "container", name });
  }

  onEvent({ type: "status", message: `Starting container ${name}` });
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
  return getHostContainer(container.id);
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
