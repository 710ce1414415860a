import { engineStatus } from "@/lib/docker/engine";

export const dynamic = "force-dynamic";

/** Liveness for load balancers and the test rig; no login needed, nothing secret in it. */
export async function GET() {
  const docker = await engineStatus();
  return Response.json({ ok: true, docker: { reachable: docker.reachable, version: docker.version ?? null } }, { headers: { "Cache-Control": "no-store" } });
}
