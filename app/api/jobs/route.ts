import { handleApi } from "@/lib/http";
import { jobs } from "@/lib/jobs";

export const dynamic = "force-dynamic";

/**
 * Every long operation the dashboard runs or ran, newest first (lib/jobs): `{ jobs }`, each with its
 * kind, target, typed phase, progress and, once ended, its outcome. Failures stay until dismissed
 * (`DELETE /api/jobs/<id>`); the rest for HAKURIVER_JOB_KEEP_MINUTES. Pushed over /live as `jobs`.
 */
export async function GET(request: Request) {
  return handleApi(request, async () => Response.json({ jobs: jobs().list() }, { headers: { "Cache-Control": "no-store" } }));
}
