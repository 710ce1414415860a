import { getFlavor } from "@/lib/config";
import { listLocalImageRefs } from "@/lib/docker/images";
import { handleApi } from "@/lib/http";

export const dynamic = "force-dynamic";

/** GET /api/images: image references already on the Host, newest first (the Create modal's suggestions). */
export async function GET(request: Request) {
  return handleApi(request, async () => {
    const images = await listLocalImageRefs(`${getFlavor().name}/`);
    return Response.json({ images }, { headers: { "Cache-Control": "no-store" } });
  });
}
