import { authoriseRequest } from "@/lib/auth/next";
import { engineStatus } from "@/lib/docker/engine";

export const dynamic = "force-dynamic";

/**
 * Liveness for load balancers and the test rig; no login needed. The engine's version (which
 * tells an attacker which CVEs apply) only goes to a logged-in caller.
 */
export async function GET(request: Request) {
  const docker = await engineStatus();
  const known = authoriseRequest(request).ok;
  return Response.json(
    { ok: true, docker: { reachable: docker.reachable, version: known ? (docker.version ?? null) : null } },
    { headers: { "Cache-Control": "no-store" } },
  );
}
