import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { answerJson } from "./gate";

/** Login and logout carry a token or nothing: a few KiB is plenty. */
export const AUTH_BODY_LIMIT = 16 * 1024;
/** Everything else: JSON commands and server actions (Next's own action limit is 1 MiB as well). */
export const BODY_LIMIT = 1024 * 1024;

export function bodyLimitFor(url: string | undefined): number {
  return (url ?? "").startsWith("/api/auth/") ? AUTH_BODY_LIMIT : BODY_LIMIT;
}

const KiB = (n: number) => (n >= 1024 * 1024 ? `${n / 1024 / 1024} MiB` : `${n / 1024} KiB`);

/**
 * Holds a request's body at the door until all of it has arrived, counting while the socket
 * delivers it, and only then lets `proceed` hand the request on (to Next, which reads the held
 * bytes as usual). A body over the limit is answered 413 as soon as the limit is passed (at once
 * when Content-Length says so) and is never handed on; the rest of it is discarded as it arrives,
 * so memory stays at most `limit` per request whatever a client sends.
 *
 * Node's HTTP parser hands body bytes to the request with `push()`; counting there (instead of
 * reading the stream) leaves the request untouched for whoever reads it later.
 */
export function holdBody(req: IncomingMessage, res: ServerResponse, proceed: () => void, limit = bodyLimitFor(req.url)): void {
  const declared = req.headers["content-length"];
  const chunked = req.headers["transfer-encoding"] !== undefined;
  if (!chunked && (declared === undefined || declared === "0")) return proceed();
  const tooLarge = () =>
    answerJson(res, 413, { error: `Request body too large: the limit here is ${KiB(limit)}.`, code: "too_large:body" });
  if (!chunked && Number(declared) > limit) return tooLarge();
  if (req.complete) return proceed();

  const push = req.push.bind(req);
  let size = 0;
  let settled = false;
  const settle = (then: () => void) => {
    if (settled) return;
    settled = true;
    then();
  };
  req.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (chunk === null) {
      req.push = push;
      settle(proceed);
      return push(chunk, encoding);
    }
    if (settled) return true; // over the limit: discarded
    size += (chunk as Buffer).length;
    if (size > limit) {
      settle(tooLarge);
      return true;
    }
    push(chunk, encoding);
    // Keep the socket flowing although nobody reads yet: what is held is at most `limit`.
    return true;
  };
  // A client that goes away mid-body: nothing to hand on.
  req.once("close", () => settle(() => {}));
}
