import { ENV_NAME_PATTERN } from "./validation";

/**
 * Naming conventions of the cluster software the tarballs are for. HakuRiver and its successor
 * KohakuRiver read the same `<name>-<ts>.tar` files with the same sync rule; they differ in the
 * image a Runner loads, the labels on environment containers, and those containers' names.
 * Pure, so both the server and the browser can use it.
 */
export type FlavorName = "hakuriver" | "kohakuriver";

export const FLAVORS: readonly FlavorName[] = ["hakuriver", "kohakuriver"];

export interface Flavor {
  name: FlavorName;
  /** Label keys written on (and recognised on) environment containers. */
  labels: { managed: string; env: string };
  /** The image a Runner loads from an environment's tarball and runs tasks from. */
  baseImage(env: string): { repo: string; tag: string; ref: string };
  /** The Host container a new environment gets. */
  containerName(env: string): string;
  /**
   * The environment a container stands for, judged by its name alone; undefined when the name
   * is not one this flavour gives environment containers.
   */
  envFromContainerName(name: string): string | undefined;
}

const KOHAKU_ENV_PREFIX = "kohakuriver-env-";

function make(name: FlavorName, containerPrefix: string): Flavor {
  return {
    name,
    labels: { managed: `${name}.managed`, env: `${name}.env` },
    baseImage(env) {
      const repo = `${name}/${env.toLowerCase()}`;
      return { repo, tag: "base", ref: `${repo}:base` };
    },
    containerName: (env) => `${containerPrefix}${env}`,
    envFromContainerName(container) {
      if (!container.startsWith(containerPrefix)) return undefined;
      const env = container.slice(containerPrefix.length);
      return ENV_NAME_PATTERN.test(env) ? env : undefined;
    },
  };
}

const flavors: Record<FlavorName, Flavor> = {
  // HakuRiver: the environment name is the container name (`docker run --name <name> …`).
  hakuriver: make("hakuriver", ""),
  // KohakuRiver: environment containers are `kohakuriver-env-<name>`.
  kohakuriver: make("kohakuriver", KOHAKU_ENV_PREFIX),
};

export function flavorOf(name: FlavorName): Flavor {
  return flavors[name];
}
