import { apiUnauthorized } from "@/lib/auth/next";
import { createContainerStream } from "@/lib/docker/create-stream";
import { listContainers } from "@/lib/docker/containers";
import { errorResponse, readJsonBody } from "@/lib/http";
import { createContainerSchema, firstIssue } from "@/lib/validation";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

/** The Host Containers table as JSON. `?all=1` lists every container, not only the managed ones. */
export async function GET(request: Request) {
  const denied = apiUnauthorized(request);
  if (denied) return denied;
  const all = ["1", "true"].includes(new URL(request.url).searchParams.get("all") ?? "");
  try {
    return Response.json({ containers: await listContainers({ all }) }, { headers: { "Cache-Control": "no-store" } });
  } catch (err) {
    return errorResponse(err);
  }
}

/**
 * Creates an environment container: `{ "image": "…", "name": "…" }`. Bad input is a 400 before any
 * Docker call; otherwise the answer streams NDJSON events (status, pull progress) ending in one
 * `done` or `error` event.
 */
export async function POST(request: Request) {
  const denied = apiUnauthorized(request);
  if (denied) return denied;
  try {
    const parsed = createContainerSchema.safeParse(await readJsonBody(request));
    if (!parsed.success) throw new AppError("bad_request:input", firstIssue(parsed.error));
    return new Response(createContainerStream(parsed.data), {
      headers: { "Content-Type": "application/x-ndjson; charset=utf-8", "Cache-Control": "no-store", "X-Accel-Buffering": "no" },
    });
  } catch (err) {
    return errorResponse(err);
  }
}
