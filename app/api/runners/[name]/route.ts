import { handleApi } from "@/lib/http";
import { findRunner, runnerStatus } from "@/lib/runners/status";

export const dynamic = "force-dynamic";

/** One Runner's status: reachable (or why not), engine version, disk, every environment by the Runners' rule. */
export async function GET(request: Request, { params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return handleApi(request, async () => Response.json(await runnerStatus(findRunner(name)), { headers: { "Cache-Control": "no-store" } }));
}
