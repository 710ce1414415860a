import { execute } from "@/lib/commands";
import { handleApi, readJsonBody } from "@/lib/http";

export const dynamic = "force-dynamic";

/**
 * New container from this version: body `{ name }`. Loads the version as `<repo>:v<timestamp>`
 * (never touching `<repo>:base`) and creates the container through the creation job (202,
 * `{ job }`; the job shows in `GET /api/creations` and is pushed over /live).
 */
export async function POST(request: Request, { params }: { params: Promise<{ file: string }> }) {
  const { file } = await params;
  return handleApi(request, async (caller) => {
    const body = (await readJsonBody(request)) as { name?: unknown } | null;
    const { message, data } = await execute("tarball.container", caller, { file, name: body?.name });
    return Response.json({ ok: true, message, ...data }, { status: 202 });
  });
}
