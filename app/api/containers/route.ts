import { audit } from "@/lib/audit";
import { createContainerStream } from "@/lib/docker/create-stream";
import { listContainers } from "@/lib/docker/containers";
import { engineStatus } from "@/lib/docker/engine";
import { unreachableError } from "@/lib/docker/errors";
import { handleApi, parseInput, readJsonBody } from "@/lib/http";
import { pageOf } from "@/lib/paging";
import { createContainerSchema } from "@/lib/schemas";

export const dynamic = "force-dynamic";

/**
 * The Host Containers table as JSON. `?all=1` lists every container, not only the managed ones;
 * `?page=N` (and `&q=<name part>`) returns one page of PAGE_SIZE with `total`, `page`, `pages`.
 */
export async function GET(request: Request) {
  const params = new URL(request.url).searchParams;
  const all = ["1", "true"].includes(params.get("all") ?? "");
  return handleApi(request, async () => {
    const containers = await listContainers({ all });
    const body = params.has("page") || params.has("q")
      ? (({ items, ...rest }) => ({ containers: items, ...rest }))(pageOf(containers, { q: params.get("q") ?? "", page: Number(params.get("page") ?? 1) }))
      : { containers, total: containers.length };
    return Response.json(body, { headers: { "Cache-Control": "no-store" } });
  });
}

/**
 * Creates an environment container: `{ "image": "…", "name": "…" }`. Bad input is a 400 before any
 * Docker call; otherwise the answer streams NDJSON events (status, pull progress) ending in one
 * `done` or `error` event.
 */
export async function POST(request: Request) {
  return handleApi(request, async (caller) => {
    const input = parseInput(createContainerSchema, await readJsonBody(request));
    // Fail fast with a 503 rather than a stream that only says so at its end.
    if (!(await engineStatus()).reachable) throw unreachableError();
    const stream = createContainerStream(input, (error) =>
      audit({ session: caller, action: "container.create", target: `${input.name} from ${input.image}`, result: error ? "error" : "ok", detail: error }),
    );
    return new Response(stream, {
      headers: { "Content-Type": "application/x-ndjson; charset=utf-8", "Cache-Control": "no-store", "X-Accel-Buffering": "no" },
    });
  });
}
