import "server-only";
import { listContainers } from "@/lib/docker/containers";
import { viewOfContainers, type ContainersPage } from "@/lib/shared/containers";
import { toAppError } from "@/lib/shared/errors";
import type { DirectorySpace, EnvironmentSummary } from "@/lib/shared/tarballs";
import { directorySpace, listEnvironments, summarize } from "@/lib/tarballs/store";

/**
 * What the pages show, read once for both their server render and their JSON routes, so a page and
 * its refresh always agree. Failures become a page with `error` and `code` (an unreachable engine
 * is a state to show, not an exception).
 */
export async function containersPage(view: { all: boolean; q?: string; page?: number }): Promise<ContainersPage> {
  try {
    return viewOfContainers(await listContainers({ all: view.all }), view);
  } catch (err) {
    const e = toAppError(err);
    return { containers: [], total: 0, page: 1, pages: 1, error: e.message, code: e.code };
  }
}

export async function tarballSummaries(): Promise<{ environments: EnvironmentSummary[]; space?: DirectorySpace; error?: string }> {
  try {
    const environments = await listEnvironments();
    const space = await directorySpace(environments).catch(() => undefined);
    return { environments: summarize(environments), space };
  } catch (err) {
    return { environments: [], error: toAppError(err).message };
  }
}
