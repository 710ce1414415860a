import http from "node:http";
import type { AddressInfo } from "node:net";
import { Transform } from "node:stream";

/**
 * A registry that answers slowly: a loopback proxy in front of the test registry
 * (scripts/test-env.sh, 127.0.0.1:5055) that passes every answer through at `bytesPerSecond`, so a
 * pull takes long enough to reload a page or press Cancel in the middle of it. The engine trusts
 * loopback registries without TLS.
 */
export async function startSlowRegistry(bytesPerSecond = 4 * 1024 * 1024, upstream = process.env.HAKURIVER_TEST_REGISTRY ?? "127.0.0.1:5055") {
  const [host, port] = upstream.split(":");
  const server = http.createServer((req, res) => {
    const forward = http.request({ host, port: Number(port), method: req.method, path: req.url, headers: { ...req.headers, host: upstream } }, (answer) => {
      // Redirects name the upstream; keep them on the proxy.
      const headers = { ...answer.headers };
      if (typeof headers.location === "string") headers.location = headers.location.replace(`http://${upstream}`, `http://${address}`);
      res.writeHead(answer.statusCode ?? 502, headers);
      const throttle = new Transform({
        transform(chunk: Buffer, _enc, done) {
          setTimeout(() => done(null, chunk), (chunk.length / bytesPerSecond) * 1000);
        },
      });
      answer.pipe(throttle).pipe(res);
      res.on("close", () => answer.destroy());
    });
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    address,
    /** The test registry's pullable image, through the slow door. */
    image: (path = "hakuriver-test/pullable:3") => `${address}/${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
