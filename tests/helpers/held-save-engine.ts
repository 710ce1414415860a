import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";

/**
 * The local Docker engine behind a loopback TCP port (DOCKER_HOST=tcp://…) that answers everything
 * as the engine does, except an image save (`GET /images/<ref>/get`, what Create Tar reads): that
 * one passes its first `holdAfter` bytes and then holds, so a Create Tar stays in "Saving" at a
 * fixed byte count until it is cancelled. Hijacked streams (a shell's exec) pass through as they are.
 */
export async function startHeldSaveEngine(holdAfter = 1024 * 1024, socketPath = engineSocket()) {
  const open = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const upstream = http.request({ socketPath, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (req.method === "GET" && /\/images\/.+\/get(\?|$)/.test(req.url ?? "")) passThenHold(answer, res, holdAfter);
      else answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on("connection", (s: net.Socket) => {
    open.add(s);
    s.on("close", () => open.delete(s));
  });
  server.on("upgrade", (req, client, head) => {
    const engine = net.connect(socketPath, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`, ...Object.entries(req.headers).map(([k, v]) => `${k}: ${String(v)}`), "", ""];
      engine.write(lines.join("\r\n"));
      engine.write(head);
      engine.pipe(client);
      client.pipe(engine);
    });
    engine.on("error", () => client.destroy());
    client.on("error", () => engine.destroy());
    client.on("close", () => engine.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    dockerHost: `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function engineSocket(): string {
  const host = process.env.DOCKER_HOST;
  if (host && !host.startsWith("unix://")) throw new Error(`held-save engine: DOCKER_HOST=${host} is not a unix socket`);
  return host ? host.slice("unix://".length) : "/var/run/docker.sock";
}

/** Writes the first `limit` bytes of `from` to `to`, then reads on without passing anything. */
function passThenHold(from: http.IncomingMessage, to: http.ServerResponse, limit: number) {
  let passed = 0;
  from.on("data", (chunk: Buffer) => {
    const room = limit - passed;
    if (room > 0) to.write(chunk.subarray(0, room));
    passed += chunk.length;
  });
}
