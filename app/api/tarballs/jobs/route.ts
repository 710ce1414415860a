import { z } from "zod";
import { audited } from "@/lib/audit";
import { handleApi, parseInput, readJsonBody } from "@/lib/http";
import { listJobs, startPackaging } from "@/lib/tarballs/jobs";

export const dynamic = "force-dynamic";

const startSchema = z.object({ container: z.string({ error: 'Send { "container": "<name>" }.' }).min(1).max(128) });

/** Running and recently finished Create Tar jobs. */
export async function GET(request: Request) {
  return handleApi(request, async () => Response.json({ jobs: listJobs() }, { headers: { "Cache-Control": "no-store" } }));
}

/** Starts Create Tar for `{ "container": "<name>" }`; answers 202 with the job at once. */
export async function POST(request: Request) {
  return handleApi(request, async (caller) => {
    const { container } = parseInput(startSchema, await readJsonBody(request));
    const job = await audited(caller, "tarball.create", container, () => startPackaging(container));
    return Response.json({ job }, { status: 202 });
  });
}
