import "server-only";
import { ServerResponse, type IncomingMessage } from "node:http";
import type { Socket as NetSocket } from "node:net";
import type { Server } from "socket.io";
import { applySecurityHeaders } from "@/lib/security-headers";
import { authorise, type Caller } from "./authorise";
import { normaliseProxyHeaders } from "./gate";
import { peopleStore } from "./people";
import { sessionRevocations, type Revocation } from "./revocation";

/** Whether a request arrived over TLS on this very socket (not through a proxy). */
export function isEncrypted(socket: NetSocket): boolean {
  return (socket as NetSocket & { encrypted?: boolean }).encrypted === true;
}

/**
 * The client's address behind a socket: what guardSockets' middleware (normaliseProxyHeaders) put
 * in the handshake request, the TCP peer or, behind a trusted proxy, the address the proxy vouches
 * for. Never the client's own X-Forwarded-For without HAKURIVER_TRUST_PROXY.
 */
export function socketAddress(request: IncomingMessage): string {
  const address = request.headers["x-hakuriver-client-ip"];
  return typeof address === "string" && address !== "" ? address : "unknown";
}

/** The part of an Engine.IO connection this module needs: its id and a way to end it. */
interface EngineConnection {
  id: string;
  request: IncomingMessage;
  close(): void;
  once(event: "close", listener: () => void): unknown;
}

/**
 * Authorises every Engine.IO request of `io` (the handshake, each later polling GET and POST, and
 * the WebSocket upgrade), for every Socket.IO namespace at once. A request naming a connection
 * (`sid=`) must carry the credential that opened it (the same login session, or the bearer token)
 * from an allowed Origin: the sid alone, which travels in URLs, grants nothing. Connections of a
 * session that is logged out (or "everywhere") are closed.
 */
export function guardSockets(io: Server, token: string, options: { trustProxy?: boolean } = {}): void {
  const owners = new Map<string, { caller: Caller; connection: EngineConnection }>();

  const refuse = (res: ServerResponse, next: (err?: Error) => void, status: number, error: string) => {
    // Polling requests get a real answer; for an upgrade Engine.IO ends the socket on an error.
    if (res instanceof ServerResponse) {
      res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" }).end(JSON.stringify({ error }));
    } else {
      next(new Error(error));
    }
  };

  io.engine.use((req: IncomingMessage, res: ServerResponse, next: (err?: Error) => void) => {
    // Socket.IO answers its own requests before server.ts's listener sees them: the pages' headers
    // (CSP, nosniff…) go on every Engine.IO answer here, the refusals and Engine.IO's errors included.
    applySecurityHeaders(res);
    // For the same reason, normalise here too.
    normaliseProxyHeaders(req.headers, req.socket.remoteAddress, options.trustProxy ?? false, isEncrypted(req.socket));
    const who = authorise(token, { method: req.method ?? "GET", headers: req.headers as Record<string, string> }, { sameOrigin: "always" });
    if (!who.ok) return refuse(res, next, who.status, who.error);
    let sid: string | null = null;
    try {
      sid = new URL(req.url ?? "/", "http://local").searchParams.get("sid");
    } catch {
      return refuse(res, next, 400, "Malformed request URL.");
    }
    if (sid !== null && owners.get(sid)?.caller.id !== who.id) {
      return refuse(res, next, 403, "This connection belongs to another session.");
    }
    next();
  });

  io.engine.on("connection", (connection: EngineConnection) => {
    // The handshake request, already authorised by the middleware above.
    const who = authorise(token, { method: "GET", headers: connection.request.headers as Record<string, string> }, { sameOrigin: "always" });
    if (!who.ok) return connection.close();
    owners.set(connection.id, { caller: who, connection });
    connection.once("close", () => owners.delete(connection.id));
  });

  const unsubscribe = sessionRevocations().onRevoke((revocation: Revocation) => {
    for (const { caller, connection } of [...owners.values()]) {
      if (caller.credential !== "cookie") continue;
      const ended = "everywhere" in revocation ? caller.session.generation < revocation.generation : caller.session.nonce === revocation.nonce;
      if (ended) connection.close();
    }
  });
  // A revoked token, a removed person, ended sessions or a changed role: their connections close
  // (the browser reconnects with what it has now, and is refused or gets the new role).
  const unwatch = peopleStore().onChange(() => {
    for (const { caller, connection } of [...owners.values()]) {
      if (caller.principal.kind === "owner") continue;
      const now = authorise(token, { method: "GET", headers: connection.request.headers as Record<string, string> }, { sameOrigin: "always" });
      if (!now.ok || now.principal.role !== caller.principal.role) connection.close();
    }
  });
  io.httpServer?.once("close", () => {
    unsubscribe();
    unwatch();
  });
}
