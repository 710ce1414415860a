import http from "node:http";
import type { AddressInfo } from "node:net";
import { Transform } from "node:stream";

/**
 * A loopback HTTP proxy in front of a registry: passes every request through (redirects kept on the
 * proxy), optionally at `bytesPerSecond`, and counts what it answers to blob GETs — the layers and
 * configs a pull actually fetches, counted on the registry's side.
 */
export interface BlobFetch {
  digest: string;
  bytes: number;
}

export async function startRegistryProxy(upstream: string, options: { bytesPerSecond?: number } = {}) {
  const [host, port] = upstream.split(":");
  const fetched: BlobFetch[] = [];
  const server = http.createServer((req, res) => {
    const forward = http.request({ host, port: Number(port), method: req.method, path: req.url, headers: { ...req.headers, host: upstream } }, (answer) => {
      const headers = { ...answer.headers };
      if (typeof headers.location === "string") headers.location = headers.location.replace(`http://${upstream}`, `http://${address}`);
      res.writeHead(answer.statusCode ?? 502, headers);
      const blob = req.method === "GET" ? /\/blobs\/(sha256:[0-9a-f]{64})$/.exec(req.url ?? "") : null;
      const record: BlobFetch | undefined = blob ? { digest: blob[1], bytes: 0 } : undefined;
      if (record) fetched.push(record);
      const rate = options.bytesPerSecond;
      const pass = new Transform({
        transform(chunk: Buffer, _enc, done) {
          if (record) record.bytes += chunk.length;
          if (rate) setTimeout(() => done(null, chunk), (chunk.length / rate) * 1000);
          else done(null, chunk);
        },
      });
      answer.pipe(pass).pipe(res);
      res.on("close", () => answer.destroy());
    });
    // As a reverse proxy (nginx) in front of a registry that is down answers.
    forward.on("error", () => (res.headersSent ? res.destroy() : res.writeHead(502, { "Content-Type": "text/plain" }).end("Bad Gateway\n")));
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    address,
    /** Every blob GET so far, with the bytes answered. */
    fetched,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
