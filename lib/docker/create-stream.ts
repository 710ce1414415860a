import "server-only";
import { toAppError } from "@/lib/errors";
import { createEnvironmentContainer } from "./containers";
import type { CreateEvent } from "./types";

/**
 * Runs createEnvironmentContainer and reports it as NDJSON, one CreateEvent per line. The work
 * goes on if the client disconnects: a half-made container is worse than an unwatched one.
 */
export function createContainerStream(
  input: { image: string; name: string },
  onFinish: (error?: string) => void = () => {},
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const emit = (event: CreateEvent) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
        } catch {
          open = false;
        }
      };
      createEnvironmentContainer(input, emit)
        .then((container) => {
          onFinish();
          emit({ type: "done", container });
        })
        .catch((err) => {
          const appError = toAppError(err);
          onFinish(appError.message);
          emit({ type: "error", error: appError.message, code: appError.code });
        })
        .finally(() => {
          if (open) controller.close();
          open = false;
        });
    },
  });
}
