import { listCreations } from "@/lib/docker/creations";
import { handleApi } from "@/lib/http";

export const dynamic = "force-dynamic";

/** Running and recently finished Create New Container jobs (started with `POST /api/containers`). */
export async function GET(request: Request) {
  return handleApi(request, async () => Response.json({ creations: listCreations() }, { headers: { "Cache-Control": "no-store" } }));
}
