import { handleApi } from "@/lib/http";
import { downloadResponse } from "@/lib/tarballs/download";

export const dynamic = "force-dynamic";

/** The version's bytes: streamed, Content-Length, Range (206/416) under If-Range, ETag (304), sha256 once a Verify has read it. */
export async function GET(request: Request, { params }: { params: Promise<{ file: string }> }) {
  const { file } = await params;
  return handleApi(request, () => downloadResponse(file, request.headers));
}

export async function HEAD(request: Request, { params }: { params: Promise<{ file: string }> }) {
  const { file } = await params;
  return handleApi(request, () => downloadResponse(file, request.headers, "HEAD"));
}
