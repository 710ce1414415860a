"use client";

import { useEffect, useRef, useState } from "react";
import { io, type Socket } from "socket.io-client";
import type { WatchAck, WatchClientEvents, WatchKind, WatchServerEvents } from "@/lib/shared/socket-events";

type WatchSocket = Socket<WatchServerEvents, WatchClientEvents>;

export type WatchState =
  | { phase: "off" }
  | { phase: "connecting" }
  | { phase: "on"; ack: Extract<WatchAck, { ok: true }> }
  | { phase: "ended"; reason: string };

/**
 * Watches one container's followed log or stats on `/watch` while `enabled`: connects, asks,
 * passes every push to `onPush` (the latest one given), and leaves when disabled or unmounted
 * (the server closes the engine stream when its last viewer leaves). A dropped connection asks
 * again on reconnect.
 */
export function useWatch<K extends WatchKind>(
  container: string,
  kind: K,
  enabled: boolean,
  onPush: (push: K extends "logs" ? Parameters<WatchServerEvents["log"]>[0] : Parameters<WatchServerEvents["stats"]>[0]) => void,
): WatchState {
  const [state, setState] = useState<WatchState | undefined>();
  const push = useRef(onPush);
  useEffect(() => {
    push.current = onPush;
  });
  useEffect(() => {
    if (!enabled) return;
    const socket: WatchSocket = io("/watch", { transports: ["websocket", "polling"], reconnectionDelayMax: 5000 });
    const request = { container, kind };
    const ask = () =>
      socket.emit("watch", request, (ack) => setState(ack.ok ? { phase: "on", ack } : { phase: "ended", reason: ack.error }));
    socket.on("connect", ask);
    socket.on("connect_error", (err) => setState({ phase: "ended", reason: `Cannot reach the server: ${err.message}` }));
    const forward = (p: { container: string }) => p.container === container && push.current(p as never);
    if (kind === "logs") socket.on("log", forward);
    else socket.on("stats", forward);
    socket.on("watch:ended", (end) => {
      if (end.container === container && end.kind === kind) {
        setState({ phase: "ended", reason: end.reason });
        socket.close();
      }
    });
    return () => {
      socket.emit("unwatch", request);
      socket.close();
      setState(undefined);
    };
  }, [container, kind, enabled]);
  return enabled ? (state ?? { phase: "connecting" }) : { phase: "off" };
}
