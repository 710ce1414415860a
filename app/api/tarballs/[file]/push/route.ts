import { commandResponse } from "@/lib/http";

export const dynamic = "force-dynamic";

/** Pushes one version to the registry (HAKURIVER_REGISTRY): 202, `{ job }`; the job's progress is on /live. */
export async function POST(request: Request, { params }: { params: Promise<{ file: string }> }) {
  return commandResponse(request, "tarball.push", (await params).file);
}
