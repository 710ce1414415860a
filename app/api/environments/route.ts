import { handleApi } from "@/lib/http";
import { listEnvironments } from "@/lib/tarballs/store";

export const dynamic = "force-dynamic";

/** Environment names with their latest tarball: what a task form's "Container Environment" lists. */
export async function GET(request: Request) {
  return handleApi(request, async () => {
    const environments = (await listEnvironments()).map(({ name, latest }) => ({ name, latest }));
    return Response.json({ environments }, { headers: { "Cache-Control": "no-store" } });
  });
}
