import { Readable } from "node:stream";
import { audit } from "@/lib/audit";
import { logDownloadStream } from "@/lib/docker/logs";
import { handleApi, parseInput } from "@/lib/http";
import { containerRefSchema } from "@/lib/schemas";

export const dynamic = "force-dynamic";

/**
 * GET /api/containers/<name>/logs — the container's whole log as a file (what `docker logs`
 * prints), streamed from the engine as the client reads it. Written to the audit log.
 */
export async function GET(request: Request, { params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return handleApi(request, async (caller) => {
    const ref = parseInput(containerRefSchema, name);
    try {
      const { source, body } = await logDownloadStream(ref, request.signal);
      audit({ session: caller.id, action: "container.logs.download", target: source.name, result: "ok" });
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      return new Response(Readable.toWeb(body) as ReadableStream<Uint8Array>, {
        headers: {
          "Content-Type": "text/plain; charset=utf-8",
          "Content-Disposition": `attachment; filename="${source.name}-${stamp}.log"`,
          "Cache-Control": "no-store",
        },
      });
    } catch (err) {
      audit({ session: caller.id, action: "container.logs.download", target: ref, result: "error", detail: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  });
}
