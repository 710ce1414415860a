import type { CommandName } from "@/lib/commands";
import { commandResponse, errorResponse } from "@/lib/http";
import { AppError } from "@/lib/shared/errors";

const verbs: Record<string, CommandName> = { start: "container.start", stop: "container.stop", resume: "container.unpause", tar: "tarball.create", adopt: "container.adopt" };

/** POST /api/containers/<name>/start | stop | resume | tar | adopt — what the row's buttons do. */
export async function POST(request: Request, { params }: { params: Promise<{ name: string; command: string }> }) {
  const { name, command } = await params;
  const action = Object.hasOwn(verbs, command) ? verbs[command] : undefined;
  if (!action) return errorResponse(new AppError("not_found:command", `Unknown command ${command}; use ${Object.keys(verbs).join(", ")}.`));
  // Create Tar takes an optional one-line note: POST /api/containers/<name>/tar?note=…
  const note = action === "tarball.create" ? new URL(request.url).searchParams.get("note") : null;
  return commandResponse(request, action, note === null ? name : { container: name, note });
}
