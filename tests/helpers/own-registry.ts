import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import bcrypt from "bcryptjs";

/**
 * A registry of the test's own: Debian's `docker-registry` (scripts/test-env.sh installs it) on a
 * free loopback port, with its own storage, deletes enabled or not, and optionally basic auth
 * (htpasswd, bcrypt). It can be stopped and started again on the same port and storage — the
 * registry going down and coming back.
 */
export interface OwnRegistry {
  address: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function answers(address: string): Promise<boolean> {
  const r = await fetch(`http://${address}/v2/`).catch(() => undefined);
  return r !== undefined && (r.status === 200 || r.status === 401);
}

export async function startOwnRegistry(dir: string, options: { deletes: boolean; user?: string; password?: string }): Promise<OwnRegistry> {
  fs.mkdirSync(path.join(dir, "storage"), { recursive: true });
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const auth = options.user
    ? `auth:\n  htpasswd:\n    realm: hakuriver-test\n    path: ${path.join(dir, "htpasswd")}\n`
    : "";
  if (options.user) fs.writeFileSync(path.join(dir, "htpasswd"), `${options.user}:${bcrypt.hashSync(options.password ?? "", 10)}\n`);
  const config = path.join(dir, "config.yml");
  fs.writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(dir, "storage")}\n  delete:\n    enabled: ${options.deletes}\nhttp:\n  addr: ${address}\n${auth}`,
  );
  let child: ChildProcess | undefined;
  const registry: OwnRegistry = {
    address,
    async start() {
      const log = fs.openSync(path.join(dir, "registry.log"), "a");
      child = spawn("docker-registry", ["serve", config], { stdio: ["ignore", log, log] });
      fs.closeSync(log);
      for (let i = 0; i < 100; i++) {
        if (await answers(address)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`docker-registry did not answer on ${address} (see ${dir}/registry.log)`);
    },
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once("exit", () => resolve());
        c.kill("SIGTERM");
      });
    },
  };
  await registry.start();
  return registry;
}
