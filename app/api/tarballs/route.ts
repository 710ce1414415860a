import { handleApi } from "@/lib/http";
import { listEnvironments } from "@/lib/tarballs/store";

export const dynamic = "force-dynamic";

/** Every environment in the shared container dir with all its versions, newest first. */
export async function GET(request: Request) {
  return handleApi(request, async () =>
    Response.json({ environments: await listEnvironments() }, { headers: { "Cache-Control": "no-store" } }),
  );
}
