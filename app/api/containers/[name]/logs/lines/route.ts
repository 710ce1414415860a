import { readLogLines } from "@/lib/docker/logs";
import { handleApi, parseInput } from "@/lib/http";
import { containerRefSchema } from "@/lib/schemas";

export const dynamic = "force-dynamic";

/**
 * GET /api/containers/<name>/logs/lines?tail=N&since=T&until=T[&older=1] — the last N lines
 * (within the byte cap) as JSON, as the Logs view shows them; with `older=1` and `until` set to
 * the first line held, the N lines before it ("Load older").
 */
export async function GET(request: Request, { params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return handleApi(request, async () => {
    const ref = parseInput(containerRefSchema, name);
    const query = new URL(request.url).searchParams;
    const log = await readLogLines(ref, { tail: query.get("tail") ?? "", since: query.get("since") ?? "", until: query.get("until") ?? "", older: query.get("older") === "1" });
    return Response.json(log, { headers: { "Cache-Control": "no-store" } });
  });
}
