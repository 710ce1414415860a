import { handleApi } from "@/lib/http";
import { listPackageJobs } from "@/lib/tarballs/package";

export const dynamic = "force-dynamic";

/**
 * Running and recently finished Create Tar jobs. A job is started with
 * `POST /api/containers/<name>/tar` (the one Create Tar endpoint).
 */
export async function GET(request: Request) {
  return handleApi(request, async () => Response.json({ jobs: listPackageJobs() }, { headers: { "Cache-Control": "no-store" } }));
}
