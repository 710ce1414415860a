import { AppError } from "@/lib/shared/errors";
import { handleApi } from "@/lib/http";
import { withNotes } from "@/lib/tarballs/listing";
import { directorySpace, listEnvironments, summarize } from "@/lib/tarballs/store";

export const dynamic = "force-dynamic";

/**
 * Every environment in the shared container dir with all its versions, newest first.
 * `?summary=1`: without the version lists (with `versionCount`), plus the directory's `space`
 * (total, free, used, what the tarballs take); `?env=<name>`: one environment.
 */
export async function GET(request: Request) {
  const params = new URL(request.url).searchParams;
  return handleApi(request, async () => {
    const environments = await listEnvironments();
    const headers = { "Cache-Control": "no-store" };
    const env = params.get("env");
    if (env !== null) {
      const environment = environments.find((e) => e.name === env);
      if (!environment) throw new AppError("not_found:environment", `No tarballs of ${env} in shared storage.`);
      return Response.json({ environment: await withNotes(environment) }, { headers });
    }
    if (params.get("summary") === "1") {
      const space = await directorySpace(environments).catch(() => undefined);
      return Response.json({ environments: summarize(environments), space }, { headers });
    }
    return Response.json({ environments }, { headers });
  });
}
