import "server-only";
import type Docker from "dockerode";
import { getFlavor } from "@/lib/config";
import { AppError } from "@/lib/shared/errors";
import type { Flavor } from "@/lib/shared/flavor";
import { envNameProblem } from "@/lib/shared/validation";
import { addAdoption, readAdoptions, removeAdoptions, type Adoption } from "./adopted";
import { processWide } from "@/lib/runtime";
import { docker } from "./client";
import { fromDockerError } from "./errors";
import { toContainerState } from "@/lib/shared/status";
import { compareContainers, type HostContainer } from "@/lib/shared/containers";
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
