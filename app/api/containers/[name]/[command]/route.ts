import { commands } from "@/lib/commands";
import { AppError } from "@/lib/errors";
import { containerRefOrThrow, handleApi } from "@/lib/http";

const allowed = { start: "container.start", stop: "container.stop", tar: "tarball.create", adopt: "container.adopt" } as const;

/** POST /api/containers/<name>/start | stop | tar | adopt — what the row's buttons do. */
export async function POST(request: Request, { params }: { params: Promise<{ name: string; command: string }> }) {
  const { name, command } = await params;
  const action = allowed[command as keyof typeof allowed];
  return handleApi(
    request,
    async () => {
      if (!action) throw new AppError("not_found:command", `Unknown command ${command}; use start, stop, tar or adopt.`);
      const message = await commands[action](containerRefOrThrow(name));
      return Response.json({ ok: true, message }, { status: action === "tarball.create" ? 202 : 200 });
    },
    { action: action ?? `container.${command}`.slice(0, 40), target: name },
  );
}
