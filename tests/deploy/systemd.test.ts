import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { removeContainer, removeImage, runEnvironmentContainer, uniqueName } from "../helpers/docker";

/**
 * deploy/hakuriver-dashboard.service, checked by systemd's own tools, and the server started the
 * way that unit starts it: its ExecStart in its WorkingDirectory (here the release tree
 * scripts/deploy-image.sh prepared: build output and production node_modules only), as its User
 * with its SupplementaryGroups, with its Environment= and its EnvironmentFile parsed by systemd's
 * parser, then stopped with SIGTERM. Only the paths and port a test cannot take over from a real
 * host (data dir, shared dir, port) are replaced.
 */
const UNIT = "deploy/hakuriver-dashboard.service";
const ENV_FILE = "deploy/hakuriver-dashboard.env";
const RELEASE = path.join(process.env.HAKURIVER_TEST_STATE ?? "/var/lib/hakuriver-test", "deploy/context");
const ENV_GENERATOR = "/usr/lib/systemd/user-environment-generators/30-systemd-environment-d-generator";

/** A process environment of exactly these variables (Next's types declare NODE_ENV always set). */
const exactly = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv;

/** The [Service] section: each key's values in order (systemd keys may repeat). */
function serviceSection(): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  let section = "";
  for (const raw of fs.readFileSync(UNIT, "utf8").split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const header = line.match(/^\[(.+)\]$/);
    if (header) {
      section = header[1];
      continue;
    }
    const eq = line.indexOf("=");
    if (section !== "Service" || eq < 0) continue;
    const key = line.slice(0, eq);
    keys.set(key, [...(keys.get(key) ?? []), line.slice(eq + 1)]);
  }
  return keys;
}

const one = (unit: Map<string, string[]>, key: string) => {
  const values = unit.get(key);
  assert.equal(values?.length, 1, `${UNIT}: exactly one ${key}=`);
  return values[0];
};

/**
 * The environment file as systemd reads it: environment.d files go through the same env-file
 * parser as EnvironmentFile=, and systemd's environment.d generator prints what it read.
 */
function systemdEnvironmentFile(file: string): Record<string, string> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "hr-envd-"));
  try {
    fs.mkdirSync(path.join(home, "environment.d"));
    fs.copyFileSync(file, path.join(home, "environment.d", "99-hakuriver.conf"));
    const env = exactly({ XDG_CONFIG_HOME: home, PATH: "/usr/bin:/bin" });
    const out = execFileSync(ENV_GENERATOR, [], { env, encoding: "utf8" });
    return Object.fromEntries(
      out
        .split("\n")
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1).replace(/^"(.*)"$/, "$1")]),
    );
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

describe("systemd unit", () => {
  it("systemd-analyze verify has nothing to say about it", () => {
    const res = spawnSync("systemd-analyze", ["verify", UNIT], { encoding: "utf8" });
    assert.equal(res.status, 0, res.stderr);
    // Unknown keys and bad values are only warnings (exit 0): any output is a failure here.
    assert.equal(`${res.stdout}${res.stderr}`.trim(), "");
  });

  it("the environment file reads the same in systemd as it looks, and agrees with the unit", () => {
    const lines = fs.readFileSync(ENV_FILE, "utf8").split("\n").filter((l) => l.trim() && !/^\s*[#;]/.test(l));
    for (const line of lines) assert.match(line, /^[A-Z_][A-Z0-9_]*=[^\s"'$\\]*$/, `plain KEY=value only: ${line}`);
    const parsed = systemdEnvironmentFile(ENV_FILE);
    for (const line of lines) {
      const [key, value] = [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)];
      assert.equal(parsed[key], value, key);
    }
    const unit = serviceSection();
    // The shared dir is the one place outside the state dir it may write.
    assert.ok(one(unit, "ReadWritePaths").split(/\s+/).includes(parsed.HAKURIVER_SHARED_DIR), "ReadWritePaths has HAKURIVER_SHARED_DIR");
    assert.equal(parsed.HAKURIVER_DATA_DIR, `/var/lib/${one(unit, "StateDirectory")}`, "HAKURIVER_DATA_DIR is the StateDirectory");
    assert.equal(one(unit, "EnvironmentFile"), "/etc/hakuriver-dashboard.env");
  });
});

describe("the server started as the unit starts it", () => {
  const unit = serviceSection();
  const user = one(unit, "User");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hr-systemd-"));
  const dataDir = path.join(dir, "state");
  const sharedDir = path.join(dir, "shared");
  let port = 0;
  let server: ChildProcess | undefined;
  let output = "";
  let env = "";
  let createdUser = false;

  before(async () => {
    // A system user as the unit expects it (the README's install step), with no groups of its own.
    if (spawnSync("id", ["-u", user]).status !== 0) {
      createdUser = true;
      execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", user]);
    }
    fs.chmodSync(dir, 0o755);
    // What StateDirectory= and the install step make: the state dir private to the user, the
    // shared dir writable by it.
    fs.mkdirSync(dataDir, { mode: 0o700 });
    fs.mkdirSync(sharedDir);
    const uid = Number(execFileSync("id", ["-u", user], { encoding: "utf8" }));
    const gid = Number(execFileSync("id", ["-g", user], { encoding: "utf8" }));
    fs.chownSync(dataDir, uid, gid);
    fs.chownSync(sharedDir, uid, gid);
    port = await freePort();
    env = uniqueName("sysd");
    await runEnvironmentContainer(env);
  });

  after(async () => {
    if (server?.exitCode === null) server.kill("SIGKILL");
    await removeContainer(env);
    await removeImage(`hakuriver/${env}:base`);
    fs.rmSync(dir, { recursive: true, force: true });
    if (createdUser) execFileSync("userdel", [user]);
  });

  it("serves, reaches the engine through its group, writes tarballs Runners can read, and stops cleanly on SIGTERM", async () => {
    assert.ok(fs.existsSync(path.join(RELEASE, "dist/server.mjs")), `run scripts/deploy-image.sh first (${RELEASE})`);
    assert.ok(!fs.existsSync(path.join(RELEASE, "node_modules/typescript")), "the release tree has no dev dependencies");
    const [exe, ...args] = one(unit, "ExecStart").split(/\s+/);
    const fromUnit = Object.fromEntries((unit.get("Environment") ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
    const fromFile = systemdEnvironmentFile(ENV_FILE);
    // The environment systemd gives a service: its own minimal set, Environment=, then EnvironmentFile=.
    const serviceEnv: Record<string, string> = {
      PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin",
      USER: user,
      LOGNAME: user,
      HOME: "/nonexistent",
      SHELL: "/usr/sbin/nologin",
      ...fromUnit,
      ...fromFile,
      HAKURIVER_DATA_DIR: dataDir,
      HAKURIVER_SHARED_DIR: sharedDir,
      PORT: String(port),
    };
    const groups = one(unit, "SupplementaryGroups").split(/\s+/).join(",");
    const umask = Number.parseInt(one(unit, "UMask"), 8);
    const previousUmask = process.umask(umask);
    let proc: ChildProcess;
    try {
      proc = spawn(
        "setpriv",
        [`--reuid=${user}`, `--regid=${one(unit, "Group")}`, `--groups=${groups}`, "--no-new-privs", "--", exe, ...args],
        { cwd: RELEASE, env: exactly(serviceEnv), stdio: ["ignore", "pipe", "pipe"] },
      );
    } finally {
      process.umask(previousUmask);
    }
    server = proc;
    proc.stdout!.on("data", (c: Buffer) => (output += c.toString()));
    proc.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await fetch(`${base}/api/health`).catch(() => undefined);
      if (res?.ok) break;
      assert.ok(Date.now() < deadline && proc.exitCode === null, `the server did not come up:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const status = fs.readFileSync(`/proc/${proc.pid}/status`, "utf8");
    const ids = (field: string) => status.match(new RegExp(`^${field}:\\s*(.*)$`, "m"))![1].trim().split(/\s+/).map(Number);
    const gidOf = (group: string) => Number(execFileSync("getent", ["group", group], { encoding: "utf8" }).split(":")[2]);
    assert.deepEqual(ids("Uid"), Array(4).fill(Number(execFileSync("id", ["-u", user], { encoding: "utf8" }))), "runs as User=");
    assert.deepEqual(ids("Gid"), Array(4).fill(gidOf(one(unit, "Group"))), "runs as Group=");
    assert.deepEqual(ids("Groups"), one(unit, "SupplementaryGroups").split(/\s+/).map(gidOf), "with SupplementaryGroups= only");

    // The token was generated into the state dir, private to the service user.
    const tokenFile = path.join(dataDir, "auth-token");
    const st = fs.statSync(tokenFile);
    assert.equal(st.uid, Number(execFileSync("id", ["-u", user], { encoding: "utf8" })));
    assert.equal((st.mode & 0o777).toString(8), "600");
    const auth = { Authorization: `Bearer ${fs.readFileSync(tokenFile, "utf8").trim()}` };

    const health = (await (await fetch(`${base}/api/health`, { headers: auth })).json()) as { docker: { reachable: boolean } };
    assert.equal(health.docker.reachable, true, "the socket answers through SupplementaryGroups=docker");

    const started = await fetch(`${base}/api/containers/${env}/tar`, { method: "POST", headers: auth });
    assert.equal(started.status, 202, await started.text());
    const containerDir = path.join(sharedDir, fromFile.HAKURIVER_CONTAINER_DIR);
    let job: { phase: string; file?: string; error?: string } | undefined;
    for (let i = 0; i < 150 && !["done", "failed"].includes(job?.phase ?? ""); i++) {
      await new Promise((r) => setTimeout(r, 200));
      const { jobs } = (await (await fetch(`${base}/api/tarballs/jobs`, { headers: auth })).json()) as { jobs: { env: string; phase: string; file?: string }[] };
      job = jobs.find((j) => j.env === env);
    }
    assert.equal(job?.phase, "done", JSON.stringify(job));
    const tarball = path.join(containerDir, job!.file!);
    assert.equal((fs.statSync(tarball).mode & 0o777).toString(8), "644");
    assert.equal((fs.statSync(containerDir).mode & 0o777).toString(8), "755");
    const listing = execFileSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--", "tar", "-tf", tarball], { encoding: "utf8" });
    assert.match(listing, /manifest\.json/, "another user (a Runner) reads the tarball");

    // What `systemctl stop` does: SIGTERM, then SIGKILL after TimeoutStopSec.
    const stopping = Date.now();
    const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
    proc.kill("SIGTERM");
    const code = await exited;
    const timeout = Number.parseInt(one(unit, "TimeoutStopSec"), 10) * 1000;
    assert.equal(code, 0, output);
    assert.ok(Date.now() - stopping < timeout, `stopped in ${Date.now() - stopping} ms`);
  });
});
