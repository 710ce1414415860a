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

/**
 * A slow engine: a Unix socket that passes everything to the engine at `upstreamSocket`, but holds
 * each request whose path matches `slowPath` (e.g. `/version`, with or without an API version
 * prefix) `delayMs` before passing it on, as a busy Podman answers `/version`. Order on a
 * connection is kept (a request behind a held one waits for it). Point DOCKER_HOST at `unix://<socket>`.
 * `open(pattern)` counts the connections to the engine still open whose last request matched
 * `pattern` (a connection is reused for the next request): an engine stream (a followed log, stats) that our side failed to end stays counted.
 */
export async function startSlowEngine(
  upstreamSocket: string,
  socket: string,
  slowPath: RegExp,
  delayMs: number,
): Promise<{ held: () => number; open: (path: RegExp) => number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const firstPaths = new Map<net.Socket, string>();
  let held = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamSocket);
    sockets.add(client).add(upstream);
    let queue = Promise.resolve();
    client.on("data", (chunk) => {
      const line = /^[A-Z]+ (\S+) HTTP\/1\.[01]\r\n/.exec(chunk.subarray(0, 512).toString("latin1"));
      if (line) firstPaths.set(upstream, line[1]);
      const slow = line !== null && slowPath.test(line[1].replace(/^\/v[\d.]+(?=\/)/, ""));
      if (slow) held++;
      queue = queue.then(() => (slow ? new Promise((r) => setTimeout(r, delayMs)) : undefined)).then(() => void (!upstream.destroyed && upstream.write(chunk)));
    });
    upstream.pipe(client);
    client.on("end", () => void queue.then(() => upstream.end()));
    for (const s of [client, upstream]) {
      s.on("error", () => (client.destroy(), upstream.destroy()));
      s.on("close", () => (sockets.delete(s), firstPaths.delete(s), client.destroy(), upstream.destroy()));
    }
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    held: () => held,
    open: (path) => [...firstPaths.entries()].filter(([s, p]) => !s.destroyed && path.test(p)).length,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
