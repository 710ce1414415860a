import "server-only";
import type { Socket } from "socket.io";

/**
 * Bytes emitted on `socket` that have not left for the network yet: Engine.IO's queue (packets
 * wait there while the transport is still writing earlier ones, or for the next poll) and, on a
 * WebSocket, what ws and the TCP socket hold (`bufferedAmount`). A client that stops reading
 * fills both, whatever it acknowledges. Neither is public API (socket.io 4.8, engine.io 6.6):
 * read defensively, what cannot be read counts as nothing.
 */
export function socketBacklog(socket: Socket): number {
  const conn = socket.conn as unknown as { writeBuffer?: unknown; transport?: { socket?: { bufferedAmount?: unknown } } };
  let bytes = 0;
  if (Array.isArray(conn.writeBuffer)) for (const packet of conn.writeBuffer as Array<{ data?: unknown }>) bytes += sizeOf(packet?.data);
  const buffered = conn.transport?.socket?.bufferedAmount;
  if (typeof buffered === "number" && Number.isFinite(buffered) && buffered > 0) bytes += buffered;
  return bytes;
}

/** The size of an Engine.IO packet's data: a string (Socket.IO's header) or binary (the output). */
function sizeOf(data: unknown): number {
  if (typeof data === "string") return data.length;
  if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return data.byteLength;
  return 0;
}
