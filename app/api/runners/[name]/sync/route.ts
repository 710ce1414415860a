import { commandResponse } from "@/lib/http";

/** Sync now of one Runner (`?env=<name>`: only that environment, even one it does not have yet). */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  const env = new URL(request.url).searchParams.get("env");
  return commandResponse(request, "runner.sync", { runner: (await params).name, ...(env !== null ? { env } : {}) });
}

/** Cancels that Runner's Sync now; the load in flight is cut off and the Runner keeps its image. */
export async function DELETE(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return commandResponse(request, "runner.cancel", (await params).name);
}
