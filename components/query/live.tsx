"use client";

import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { io, type Socket } from "socket.io-client";
import { applyContainerChanges, viewOfContainers, type ContainersView, type HostContainer } from "@/lib/shared/containers";
import type { EngineState, LiveClientEvents, LiveServerEvents } from "@/lib/shared/socket-events";
import { queryKeys } from "./keys";


export interface LiveState {
  /** The live connection is up: pushed data is current, nothing needs polling. */
  connected: boolean;
  /** It was up once and is down now (the page says so and polls). */
  lost: boolean;
  engine?: EngineState;
}

const LiveContext = createContext<LiveState>({ connected: false, lost: false });

export const useLive = () => useContext(LiveContext);
export const useLiveConnected = () => useContext(LiveContext).connected;

/** Why engine actions cannot work right now (the engine does not answer), or undefined. */
export function useEngineDown(): string | undefined {
  const { engine } = useContext(LiveContext);
  return engine && !engine.reachable ? "The Docker engine is not answering; this is available again when it is back." : undefined;
}

/** Puts a pushed container list into every containers view in the cache (each computes its page). */
function applyContainers(client: QueryClient, containers: HostContainer[]): void {
  for (const query of client.getQueryCache().findAll({ queryKey: queryKeys.containers })) {
    const view = query.queryKey[1] as ContainersView | undefined;
    if (view) client.setQueryData(query.queryKey, viewOfContainers(containers, view));
  }
}

/**
 * One Socket.IO connection per page to the server's live feed (namespace /live): engine events,
 * Create Tar jobs and container-dir changes, applied to the TanStack Query cache. While it is
 * down the hooks fall back to polling; when it is back, the server sends the current state at once.
 */
export function LiveUpdates({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [state, setState] = useState<LiveState>({ connected: false, lost: false });

  useEffect(() => {
    const socket: Socket<LiveServerEvents, LiveClientEvents> = io("/live", { transports: ["websocket", "polling"], reconnectionDelayMax: 5000 });
    socket.on("connect", () => setState((s) => ({ ...s, connected: true, lost: false })));
    socket.on("disconnect", () => setState((s) => ({ ...s, connected: false, lost: true })));
    socket.on("connect_error", () => setState((s) => (s.connected ? { ...s, connected: false, lost: true } : s)));
    // The feed's list by ID: a full list on (re)connect, then only what changed.
    const byId = new Map<string, HostContainer>();
    socket.on("containers", ({ containers }) => {
      byId.clear();
      applyContainers(client, applyContainerChanges(byId, { upsert: containers, remove: [] }));
    });
    socket.on("containers:changed", (changes) => applyContainers(client, applyContainerChanges(byId, changes)));
    socket.on("jobs", ({ jobs }) => client.setQueryData(queryKeys.jobs, jobs));
    socket.on("tarballs", () => void client.invalidateQueries({ queryKey: queryKeys.tarballs }));
    socket.on("verifications", ({ verifications }) => client.setQueryData(queryKeys.verifications, verifications));
    socket.on("engine", (engine) => setState((s) => ({ ...s, engine })));
    // Other nodes write to shared storage without any event reaching us: look again when the tab is seen.
    const onVisible = () => {
      if (document.visibilityState === "visible") void client.invalidateQueries({ queryKey: queryKeys.tarballs });
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      document.removeEventListener("visibilitychange", onVisible);
      socket.close();
    };
  }, [client]);

  return (
    <LiveContext.Provider value={state}>
      {/* data-live lets tests (and users' automation) wait for pushed updates. */}
      <div data-live={state.connected ? "on" : "off"}>{children}</div>
    </LiveContext.Provider>
  );
}

/** Says so while live updates are down (the page polls meanwhile). */
export function LiveStatus() {
  const { lost, engine } = useLive();
  if (engine && !engine.reachable) {
    return (
      <p role="status" className="mt-3 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
        The Docker engine is not answering; the page updates by itself when it is back.
      </p>
    );
  }
  if (!lost) return null;
  return (
    <p role="status" className="mt-3 rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700">
      Live updates are disconnected; refreshing every few seconds until they are back.
    </p>
  );
}
