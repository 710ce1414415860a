import { apiUnauthorized } from "@/lib/auth/next";
import { AppError } from "@/lib/errors";
import { errorResponse, readJsonBody } from "@/lib/http";
import { listJobs, startPackaging } from "@/lib/tarballs/jobs";

export const dynamic = "force-dynamic";

/** Running and recently finished Create Tar jobs. */
export async function GET(request: Request) {
  const denied = apiUnauthorized(request);
  if (denied) return denied;
  return Response.json({ jobs: listJobs() }, { headers: { "Cache-Control": "no-store" } });
}

/** Starts Create Tar for `{ "container": "<name>" }`; answers 202 with the job at once. */
export async function POST(request: Request) {
  const denied = apiUnauthorized(request);
  if (denied) return denied;
  try {
    const body = (await readJsonBody(request)) as { container?: unknown };
    if (typeof body?.container !== "string") throw new AppError("bad_request:input", "Send { \"container\": \"<name>\" }.");
    return Response.json({ job: await startPackaging(body.container) }, { status: 202 });
  } catch (err) {
    return errorResponse(err);
  }
}
