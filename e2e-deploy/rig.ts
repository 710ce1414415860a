import { execFileSync } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import { DEPLOY_IMAGE, HTTPS_PORT, STATE_FILE, type RigState } from "./env";

/** Debian's client, matching the engine (as scripts/test-env.sh uses it). */
export const DOCKER = fs.existsSync("/usr/bin/docker") ? "/usr/bin/docker" : "docker";

export function docker(...args: string[]): string {
  return execFileSync(DOCKER, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

export function rigState(): RigState {
  return JSON.parse(fs.readFileSync(STATE_FILE, "utf8")) as RigState;
}

export function health(container: string): string {
  return docker("inspect", "-f", "{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}", container);
}

export async function waitHealthy(container: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let status = "";
  while (Date.now() < deadline) {
    status = health(container);
    if (status === "healthy") return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${container} is ${status} after ${timeoutMs / 1000} s:\n${docker("logs", "--tail", "30", container)}`);
}

/** A file from the data volume, read by a throwaway container of the same image (no network). */
export function readFromVolume(volume: string, file: string): string {
  return docker(
    "run", "--rm", "--network", "none", "-v", `${volume}:/data:ro`, DEPLOY_IMAGE,
    "node", "-e", `process.stdout.write(require("fs").readFileSync(${JSON.stringify(`/data/${file}`)}, "utf8"))`,
  );
}

/**
 * An HTTPS request to nginx from a chosen loopback source address (127.0.0.2 is another client as
 * far as nginx can tell), trusting only the test's own certificate.
 */
export function httpsRequest(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { certFile } = rigState();
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: "127.0.0.1",
        port: HTTPS_PORT,
        path,
        method: options.method ?? "GET",
        headers: options.headers,
        localAddress: options.localAddress,
        ca: fs.readFileSync(certFile),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}
