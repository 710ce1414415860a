import "server-only";
import { listContainers } from "@/lib/docker/containers";

/**
 * The environments that have a Host container now (for the Shared Tarballs rows). Empty when the
 * engine does not answer: the tab then shows no marks rather than failing.
 */
export async function hostEnvironmentNames(): Promise<string[]> {
  try {
    return (await listContainers()).flatMap((c) => (c.envName ? [c.envName] : []));
  } catch {
    return [];
  }
}
