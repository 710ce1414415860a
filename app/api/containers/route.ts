import { commands, execute } from "@/lib/commands";
import { listContainers } from "@/lib/docker/containers";
import { containersPage } from "@/lib/queries";
import { engineStatus } from "@/lib/docker/engine";
import { unreachableError } from "@/lib/docker/errors";
import { handleApi, ndjsonResponse, parseInput, readJsonBody } from "@/lib/http";
import { followCreation } from "@/lib/docker/creations";
import type { CreateEvent, CreationJob } from "@/lib/shared/containers";
import { statusOf } from "@/lib/shared/errors";

export const dynamic = "force-dynamic";

/**
 * The Host Containers table as JSON. `?all=1` lists every container, not only the managed ones;
 * `?page=N` (and `&q=<name part>`) returns one page of PAGE_SIZE with `total`, `page`, `pages`.
 */
export async function GET(request: Request) {
  const params = new URL(request.url).searchParams;
  const all = ["1", "true"].includes(params.get("all") ?? "");
  return handleApi(request, async () => {
    const headers = { "Cache-Control": "no-store" };
    if (!params.has("page") && !params.has("q")) {
      const containers = await listContainers({ all });
      return Response.json({ containers, total: containers.length }, { headers });
    }
    const page = await containersPage({ all, q: params.get("q") ?? "", page: Number(params.get("page") ?? 1) });
    return Response.json(page, { status: page.code ? statusOf(page.code) : 200, headers });
  });
}

/**
 * Creates an environment container: `{ "image": "…", "name": "…" }`. Bad input is a 400 before any
 * Docker call; otherwise the answer streams NDJSON events (status, pull progress) ending in one
 * `done` or `error` event.
 */
export async function POST(request: Request) {
  return handleApi(request, async (caller) => {
    // Bad input is a plain 400, and an unreachable engine a 503, before any stream starts.
    const input = parseInput(commands["container.create"].input, await readJsonBody(request));
    // Patient: a busy engine (Podman) may take seconds to say its version.
    if (!(await engineStatus([3_000, 6_000])).reachable) throw unreachableError();
    const { data } = await execute("container.create", caller, input);
    const job = data!.job as CreationJob;
    // The answer follows the job; if the client goes away, the job goes on (and shows in the list).
    return ndjsonResponse<CreateEvent>(async (emit) => {
      await followCreation(job.env, emit);
    });
  });
}
