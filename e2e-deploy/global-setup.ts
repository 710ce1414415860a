import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DASHBOARD_PORT, DEPLOY_IMAGE, DEPLOY_TOKEN, HTTP_PORT, HTTPS_PORT, LOG_DIR, STATE_FILE, type RigState } from "./env";
import { DOCKER, httpsRequest, readFromVolume, waitHealthy } from "./rig";

/**
 * The deployment the smoke runs against, as a user would set it up: compose.yaml with the image
 * scripts/deploy-image.sh built (socket, shared dir at the same path, named data volume, port on
 * loopback), and Debian's nginx serving deploy/nginx/hakuriver-dashboard.conf over HTTPS with a
 * certificate made here. nginx runs under its own prefix and is stopped by its PID; the system
 * nginx is never touched. Returns the teardown.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hakuriver-deploy-"));
  // Other users (a Runner) must be able to reach the shared dir.
  fs.chmodSync(dir, 0o755);
  const sharedDir = path.join(dir, "shared");
  const containerDir = path.join(sharedDir, "hakuriver-containers");
  fs.mkdirSync(containerDir, { recursive: true });
  // The image runs as uid 1000 ("node"); the container dir is the one place it writes.
  fs.chownSync(sharedDir, 1000, 1000);
  fs.chownSync(containerDir, 1000, 1000);

  const certFile = path.join(dir, "cert.pem");
  const keyFile = path.join(dir, "key.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", keyFile, "-out", certFile,
  ], { stdio: "ignore" });

  const project = `hrdeploy${randomBytes(3).toString("hex")}`;
  const composeEnv = {
    ...process.env,
    HAKURIVER_IMAGE: DEPLOY_IMAGE,
    DOCKER_GID: String(fs.statSync("/var/run/docker.sock").gid),
    HAKURIVER_SHARED_DIR: sharedDir,
    HAKURIVER_PUBLISH: `127.0.0.1:${DASHBOARD_PORT}`,
    HAKURIVER_TRUST_PROXY: "1",
    HAKURIVER_AUTH_TOKEN: DEPLOY_TOKEN,
    // Only the pace of the health probe; the probe itself is the one in compose.yaml.
    HAKURIVER_HEALTH_INTERVAL: "1s",
  };
  const compose = (...args: string[]) =>
    execFileSync("docker-compose", ["-p", project, "-f", "compose.yaml", ...args], { env: composeEnv, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  compose("up", "-d", "--no-build");
  const container = compose("ps", "-q", "dashboard");
  const state: RigState = { dir, sharedDir, containerDir, certFile, project, container, volume: `${project}_data` };
  fs.mkdirSync(path.dirname(STATE_FILE), { recursive: true });
  fs.writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));

  let nginxPid: number | undefined;
  const teardown = async () => {
    if (nginxPid) {
      try {
        process.kill(nginxPid, "SIGQUIT");
      } catch {}
      for (let i = 0; i < 50 && alive(nginxPid); i++) await new Promise((r) => setTimeout(r, 100));
      if (alive(nginxPid)) process.kill(nginxPid, "SIGKILL");
    }
    fs.mkdirSync(LOG_DIR, { recursive: true });
    try {
      fs.writeFileSync(path.join(LOG_DIR, "dashboard.log"), execFileSync(DOCKER, ["logs", container], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
    } catch {}
    try {
      fs.writeFileSync(path.join(LOG_DIR, "audit.log"), readFromVolume(state.volume, "audit.log"));
    } catch {}
    try {
      fs.copyFileSync(path.join(dir, "nginx", "error.log"), path.join(LOG_DIR, "nginx-error.log"));
    } catch {}
    try {
      compose("down", "-v", "--timeout", "5");
    } catch (err) {
      console.error("[deploy] compose down failed:", err);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(STATE_FILE, { force: true });
  };

  try {
    await waitHealthy(container);
    nginxPid = await startNginx(path.join(dir, "nginx"), certFile, keyFile);
    console.log(`[deploy] ${DEPLOY_IMAGE} healthy under compose and nginx on :${HTTPS_PORT} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * deploy/nginx/hakuriver-dashboard.conf with only its marked lines rewritten (ports and the
 * certificate), inside a minimal nginx.conf of our own. Each rewrite must match exactly once, so
 * the example cannot drift away from what is tested.
 */
export function renderSite(certFile: string, keyFile: string): string {
  let site = fs.readFileSync("deploy/nginx/hakuriver-dashboard.conf", "utf8");
  const rewrites: [RegExp, string][] = [
    [/server 127\.0\.0\.1:3000;(\s*# upstream)/, `server 127.0.0.1:${DASHBOARD_PORT};$1`],
    [/listen 80;(\s*# http\b)/, `listen 127.0.0.1:${HTTP_PORT};$1`],
    [/listen 443 ssl http2;(\s*# https)/, `listen 127.0.0.1:${HTTPS_PORT} ssl http2;$1`],
    [/ssl_certificate \s*\S+;(\s*# certificate)/, `ssl_certificate ${certFile};$1`],
    [/ssl_certificate_key \S+;(\s*# key)/, `ssl_certificate_key ${keyFile};$1`],
  ];
  for (const [pattern, replacement] of rewrites) {
    const matches = site.match(new RegExp(pattern.source, "g"))?.length ?? 0;
    if (matches !== 1) throw new Error(`deploy/nginx/hakuriver-dashboard.conf: ${pattern} matched ${matches} times`);
    site = site.replace(pattern, replacement);
  }
  return site;
}

async function startNginx(prefix: string, certFile: string, keyFile: string): Promise<number> {
  fs.mkdirSync(path.join(prefix, "temp"), { recursive: true });
  fs.writeFileSync(path.join(prefix, "site.conf"), renderSite(certFile, keyFile));
  const temp = (name: string) => `${name}_temp_path ${path.join(prefix, "temp", name)};`;
  fs.writeFileSync(
    path.join(prefix, "nginx.conf"),
    [
      "worker_processes 1;",
      `pid ${path.join(prefix, "nginx.pid")};`,
      `error_log ${path.join(prefix, "error.log")} warn;`,
      "events { worker_connections 256; }",
      "http {",
      `  access_log ${path.join(prefix, "access.log")};`,
      ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((n) => `  ${temp(n)}`),
      `  include ${path.join(prefix, "site.conf")};`,
      "}",
      "",
    ].join("\n"),
  );
  const args = ["-p", prefix, "-e", path.join(prefix, "error.log"), "-c", path.join(prefix, "nginx.conf")];
  execFileSync("/usr/sbin/nginx", [...args, "-t", "-q"], { stdio: ["ignore", "ignore", "inherit"] });
  const child = spawn("/usr/sbin/nginx", [...args, "-g", "daemon off;"], { stdio: "ignore", detached: true });
  child.unref();
  const pid = child.pid!;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await httpsRequest("/api/health", {})).status === 200) return pid;
    } catch {}
    if (!alive(pid)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const log = fs.existsSync(path.join(prefix, "error.log")) ? fs.readFileSync(path.join(prefix, "error.log"), "utf8") : "";
  try {
    process.kill(pid, "SIGKILL");
  } catch {}
  throw new Error(`nginx did not answer on :${HTTPS_PORT}\n${log}`);
}
