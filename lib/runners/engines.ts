import "server-only";
import fs from "node:fs";
import path from "node:path";
import Docker from "dockerode";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/shared/errors";
import type { RunnerEndpoint } from "@/lib/shared/runners";

/**
 * Dockerode clients for Runner engines, over Docker's own remote API: SSH (`docker system
 * dial-stdio` on the Runner, as `docker -H ssh://` does), TCP with a TLS client certificate, or a
 * Unix socket. Keys and certificates live in the data dir — `<data dir>/runners/<name>/` first,
 * then `<data dir>/runners/` for all Runners — and must not be readable by group or others.
 */

const SSH_KEYS = ["id_ed25519", "id_ecdsa", "id_rsa"];

function runnersDir(): string {
  return path.join(getConfig().dataDir, "runners");
}

/** The first of `names` found in the Runner's own folder, then the shared one; refuses open modes. */
function secretFile(runner: string, names: string[]): string | undefined {
  for (const dir of [path.join(runnersDir(), runner), runnersDir()]) {
    for (const name of names) {
      const file = path.join(dir, name);
      const st = fs.statSync(file, { throwIfNoEntry: false });
      if (!st?.isFile()) continue;
      if (st.mode & 0o077) {
        throw new AppError(
          "unavailable:runner",
          `${file} is readable by others (mode ${(st.mode & 0o777).toString(8)}); a Runner key is root on that machine: chmod 600 it.`,
        );
      }
      return file;
    }
  }
  return undefined;
}

/**
 * Host keys the dashboard accepts for an SSH Runner, from `<data dir>/runners/known_hosts`
 * (OpenSSH's format, `host` or `[host]:port`). Undefined when that file does not exist.
 */
function knownHostKeys(host: string, port: number): Set<string> | undefined {
  const file = path.join(runnersDir(), "known_hosts");
  if (!fs.existsSync(file)) return undefined;
  const names = new Set([port === 22 ? host : `[${host}]:${port}`, `[${host}]:${port}`]);
  const keys = new Set<string>();
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const [hosts, , key] = line.trim().split(/\s+/);
    if (hosts && key && !hosts.startsWith("#") && hosts.split(",").some((h) => names.has(h))) keys.add(key);
  }
  return keys;
}

/** A client for one Runner; `timeoutMs` bounds connecting (SSH handshake included). */
export function runnerEngine(runner: RunnerEndpoint, timeoutMs: number): Docker {
  // Every option is given, so nothing leaks in from this process's own DOCKER_HOST / DOCKER_CERT_PATH.
  const base = { host: undefined, socketPath: undefined, ca: undefined, cert: undefined, key: undefined, version: undefined, connectionTimeout: timeoutMs };
  let engine: Docker;
  switch (runner.transport) {
    case "unix":
      engine = new Docker({ ...base, socketPath: runner.socketPath, protocol: undefined });
      break;
    case "tcp": {
      const ca = secretFile(runner.name, ["ca.pem"]);
      const cert = secretFile(runner.name, ["cert.pem"]);
      const key = secretFile(runner.name, ["key.pem"]);
      if (!ca || !cert || !key) {
        throw new AppError("unavailable:runner", `No TLS client certificate for ${runner.name}: put ca.pem, cert.pem and key.pem in ${path.join(runnersDir(), runner.name)}.`);
      }
      engine = new Docker({ ...base, protocol: "https", host: runner.host, port: runner.port, ca: fs.readFileSync(ca), cert: fs.readFileSync(cert), key: fs.readFileSync(key) });
      break;
    }
    case "ssh": {
      const keyFile = secretFile(runner.name, SSH_KEYS);
      const agent = process.env.SSH_AUTH_SOCK;
      if (!keyFile && !agent) {
        throw new AppError("unavailable:runner", `No SSH key for ${runner.name}: put one (id_ed25519) in ${path.join(runnersDir(), runner.name)} or run an ssh-agent.`);
      }
      const known = knownHostKeys(runner.host!, runner.port!);
      engine = new Docker({ ...base, protocol: "ssh", host: runner.host, port: runner.port, username: runner.user });
      // Set after construction: docker-modem would let an ssh:// DOCKER_HOST of this process override them.
      (engine.modem as unknown as { sshOptions: object }).sshOptions = {
        ...(keyFile ? { privateKey: fs.readFileSync(keyFile) } : { agent }),
        readyTimeout: timeoutMs,
        ...(known ? { hostVerifier: (key: Buffer) => known.has(key.toString("base64")) } : {}),
      };
      break;
    }
  }
  return engine;
}
