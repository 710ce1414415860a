import { getHostContainer } from "@/lib/docker/containers";
import { commandResponse, handleApi, parseInput } from "@/lib/http";
import { containerRefSchema } from "@/lib/schemas";

type Params = { params: Promise<{ name: string }> };

/** One container, in the table's shape. */
export async function GET(request: Request, { params }: Params) {
  const { name } = await params;
  return handleApi(request, async () => Response.json({ container: await getHostContainer(parseInput(containerRefSchema, name)) }));
}

/** Deletes the container (forcing a running one); its tarballs are kept. */
export async function DELETE(request: Request, { params }: Params) {
  return commandResponse(request, "container.delete", (await params).name);
}
