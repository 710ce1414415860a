import { apiUnauthorized } from "@/lib/auth/next";
import { errorResponse } from "@/lib/http";
import { listEnvironments } from "@/lib/tarballs/store";

export const dynamic = "force-dynamic";

/** Every environment in the shared container dir with all its versions, newest first. */
export async function GET(request: Request) {
  const denied = apiUnauthorized(request);
  if (denied) return denied;
  try {
    return Response.json({ environments: await listEnvironments() }, { headers: { "Cache-Control": "no-store" } });
  } catch (err) {
    return errorResponse(err);
  }
}
