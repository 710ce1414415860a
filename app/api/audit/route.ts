import { readAudit } from "@/lib/audit-read";
import { handleApi } from "@/lib/http";

export const dynamic = "force-dynamic";

/** Admin only: the newest audit lines, newest first; `?person=&action=&target=&limit=` filter them. */
export async function GET(request: Request) {
  return handleApi(request, async () => {
    const q = new URL(request.url).searchParams;
    const text = (k: string) => q.get(k)?.slice(0, 200) || undefined;
    const entries = readAudit({ person: text("person"), action: text("action"), target: text("target"), limit: Number(q.get("limit")) || undefined });
    return Response.json({ entries }, { headers: { "Cache-Control": "no-store" } });
  });
}
