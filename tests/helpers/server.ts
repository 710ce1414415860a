import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/** A production server (dist/server.mjs) of its own: port, data dir, token. Run `npm run build` first. */
export interface TestServer {
  url: string;
  origin: string;
  token: string;
  dataDir: string;
  env: Record<string, string>;
  process: ChildProcess;
  output: () => string;
  /** SIGTERM and wait. */
  stop: () => Promise<void>;
  /** SIGKILL and wait: no clean-up runs. */
  kill9: () => Promise<void>;
  /** Starts a new server process with the same settings (after stop or kill9). */
  restart: () => Promise<TestServer>;
  bearer: Record<string, string>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export async function startServer(env: Record<string, string> = {}, existing?: { port: number; dataDir: string }): Promise<TestServer> {
  const port = existing?.port ?? (await freePort());
  const dataDir = existing?.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "hakuriver-srv-"));
  const token = env.HAKURIVER_AUTH_TOKEN ?? "fault-test-token-0123456789";
  const fullEnv: Record<string, string> = { HAKURIVER_DATA_DIR: dataDir, HAKURIVER_AUTH_TOKEN: token, ...env, PORT: String(port), HOST: "127.0.0.1", NODE_ENV: "production" };
  const child: ChildProcess = spawn(process.execPath, ["dist/server.mjs"], { env: { ...process.env, ...fullEnv } as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (c) => (output += c));
  child.stderr!.on("data", (c) => (output += c));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${output}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const server: TestServer = {
    url,
    origin: url,
    token,
    dataDir,
    env: fullEnv,
    process: child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
    kill9: async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
    restart: () => startServer(env, { port, dataDir }),
    bearer: { Authorization: `Bearer ${token}` },
  };
  return server;
}

/** Logs in like a browser and returns the Cookie header of the new session. */
export async function loginCookie(server: TestServer): Promise<string> {
  const res = await fetch(`${server.url}/api/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token: server.token }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  return res.headers.get("set-cookie")!.split(";")[0];
}

/** Polls until `check` returns a value that is not undefined. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Creates an environment container through the dashboard's API; throws unless it ends in `done`. */
export async function createViaApi(server: TestServer, name: string, image: string): Promise<void> {
  const res = await fetch(`${server.url}/api/containers`, {
    method: "POST",
    headers: { ...server.bearer, "Content-Type": "application/json" },
    body: JSON.stringify({ image, name }),
  });
  const events = await res.text();
  if (!/"type":"done"/.test(events)) throw new Error(`creating ${name} failed: ${res.status} ${events.slice(-300)}`);
}
