import net from "node:net";

/**
 * A TCP proxy on a loopback port that holds every chunk `delayMs` before passing it on, in each
 * direction: a round trip through it costs 2 × delayMs, for HTTP, the WebSocket upgrade and every
 * frame after it alike (Chromium's own network emulation leaves WebSocket frames alone). Order is
 * kept: every chunk waits the same time. `close` cuts every connection at once (a network that
 * goes away); a new proxy on the same `listenPort` brings it back.
 */
export async function startDelayProxy(upstreamPort: number, delayMs: number, listenPort = 0): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  };
  const pipeDelayed = (from: net.Socket, to: net.Socket) => {
    from.on("data", (chunk) => setTimeout(() => !to.destroyed && to.write(chunk), delayMs));
    from.on("end", () => setTimeout(() => to.end(), delayMs));
    from.on("error", () => to.destroy());
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, "127.0.0.1");
    track(client);
    track(upstream);
    pipeDelayed(client, upstream);
    pipeDelayed(upstream, client);
    // A side that closes takes the other with it once what it sent before has gone through.
    client.on("close", () => setTimeout(() => upstream.destroy(), delayMs));
    upstream.on("close", () => setTimeout(() => client.destroy(), delayMs));
  });
  await new Promise<void>((resolve) => server.listen(listenPort, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
