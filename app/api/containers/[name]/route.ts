import { commands } from "@/lib/commands";
import { getHostContainer } from "@/lib/docker/containers";
import { containerRefOrThrow, handleApi } from "@/lib/http";

type Params = { params: Promise<{ name: string }> };

/** One container, in the table's shape. */
export async function GET(request: Request, { params }: Params) {
  const { name } = await params;
  return handleApi(request, async () => Response.json({ container: await getHostContainer(containerRefOrThrow(name)) }));
}

/** Deletes the container (forcing a running one); its tarballs are kept. */
export async function DELETE(request: Request, { params }: Params) {
  const { name } = await params;
  return handleApi(request, async () => Response.json({ ok: true, message: await commands["container.delete"](containerRefOrThrow(name)) }), {
    action: "container.delete",
    target: name,
  });
}
