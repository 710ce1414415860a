import { io, type Socket } from "socket.io-client";
import type { TerminalClientEvents, TerminalServerEvents } from "@/lib/shared/socket-events";
import type { SessionSocket, SessionSocketEvents } from "./session-client";

/** The /terminal connection for one shell, as the session client uses it. */
export function connectShellSocket(): SessionSocket {
  const socket: Socket<TerminalServerEvents, TerminalClientEvents> = io("/terminal", {
    transports: ["websocket", "polling"],
    forceNew: true,
    reconnectionDelay: 300,
    reconnectionDelayMax: 3000,
  });
  return {
    get connected() {
      return socket.connected;
    },
    emit: (event, ...args) => socket.emit(event, ...args),
    on: <E extends keyof SessionSocketEvents>(event: E, listener: SessionSocketEvents[E]) => {
      // Reconnection attempts are the manager's events; the rest are the socket's.
      if (event === "reconnect_attempt") socket.io.on("reconnect_attempt", listener as () => void);
      else socket.on(event as keyof TerminalServerEvents, listener as TerminalServerEvents[keyof TerminalServerEvents]);
    },
    disconnect: () => socket.disconnect(),
  };
}
