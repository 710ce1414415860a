import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import Docker from "dockerode";
import type { BenchContext } from "../run";
import { engineGet, timeMedian } from "../lib";

/**
 * Runners tab status: 2 Runners × 50 environments through the dashboard (`GET /api/runners/<name>`,
 * both at once, as the tab asks), against the same engine calls made directly — `/info` and one
 * filtered `/images/json` per Runner, in parallel, plus the directory read. Over Unix sockets
 * (runner1, runner2) and over SSH (runner2 through the test sshd), from scripts/test-env.sh.
 */
const R1 = process.env.HAKURIVER_TEST_RUNNER1;
const R2 = process.env.HAKURIVER_TEST_RUNNER2;
const SSH = process.env.HAKURIVER_TEST_RUNNER2_SSH;
const SSH_KEY = process.env.HAKURIVER_TEST_RUNNER2_SSH_KEY;
const KNOWN_HOSTS = process.env.HAKURIVER_TEST_RUNNER2_KNOWN_HOSTS;

/** HAKURIVER_RUNNERS for the bench server (empty when test-env.sh was not sourced). */
export function benchRunnerEnv(): Record<string, string> {
  const list = [R1 && `r1=${R1}`, R2 && `r2=${R2}`, SSH && SSH_KEY && `r2ssh=${SSH}`].filter(Boolean).join(",");
  return list ? { HAKURIVER_RUNNERS: list } : {};
}

const socketOf = (endpoint: string) => endpoint.replace(/^unix:\/\//, "");
const FILTER = encodeURIComponent(JSON.stringify({ reference: ["hakuriver/*:base"] }));
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function get(url: string, headers: Record<string, string>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${url}: ${res.statusCode}`))));
      })
      .on("error", reject);
  });
}

export async function benchRunners(ctx: BenchContext): Promise<void> {
  if (!R1 || !R2) {
    console.log("  skipped: no Runner engines (source scripts/test-env.sh)");
    return;
  }
  const envs = 50;
  const runs = ctx.quick ? 7 : 21;
  const sockets = [socketOf(R1), socketOf(R2)];
  const engines = sockets.map((socketPath) => new Docker({ socketPath }));
  const names = Array.from({ length: envs }, (_, i) => `bench-run-${i}`);
  fs.mkdirSync(ctx.containerDir, { recursive: true });
  const files = names.map((n) => path.join(ctx.containerDir, `${n}-1700000000.tar`));
  for (const f of files) fs.writeFileSync(f, "");
  // Half of the environments on each Runner (a tiny image tagged 25 times), the rest missing.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hr-bench-run-"));
  fs.writeFileSync(path.join(tmp, "README"), "bench\n");
  execFileSync("tar", ["-C", tmp, "-cf", path.join(tmp, "img.tar"), "README"]);
  const refs = names.slice(0, envs / 2).map((n) => `hakuriver/${n}:base`);
  for (const socket of sockets) {
    execFileSync("docker", ["-H", `unix://${socket}`, "import", path.join(tmp, "img.tar"), refs[0]], { stdio: "ignore" });
    for (const ref of refs.slice(1)) execFileSync("docker", ["-H", `unix://${socket}`, "tag", refs[0], ref], { stdio: "ignore" });
  }
  if (SSH && SSH_KEY) {
    const dir = path.join(ctx.server.dataDir, "runners");
    fs.mkdirSync(path.join(dir, "r2ssh"), { recursive: true });
    fs.copyFileSync(SSH_KEY, path.join(dir, "r2ssh", "id_ed25519"));
    fs.chmodSync(path.join(dir, "r2ssh", "id_ed25519"), 0o600);
    if (KNOWN_HOSTS) fs.copyFileSync(KNOWN_HOSTS, path.join(dir, "known_hosts"));
  }
  try {
    const direct = () =>
      Promise.all([
        fs.promises.readdir(ctx.containerDir),
        ...sockets.flatMap((s) => [engineGet("/info", s), engineGet(`/images/json?filters=${FILTER}`, s)]),
      ]);
    const viaDashboard = () => Promise.all(["r1", "r2"].map((r) => get(`${ctx.server.url}/api/runners/${r}`, ctx.server.bearer)));
    const sample = JSON.parse((await viaDashboard())[0].toString()) as { environments: { state: string }[] };
    if (sample.environments.filter((e) => e.state === "up_to_date").length < envs / 2) throw new Error("status does not show the bench images");
    const floor = await timeMedian(direct, runs, 3);
    const value = await timeMedian(viaDashboard, runs, 3);
    ctx.add({ section: "runners", measure: `status, 2 Runners × ${envs} environments (Unix sockets)`, value, unit: "ms", floor, ratio: value / floor, target: "≤ 2×", met: value / floor <= 2 });
    if (SSH && SSH_KEY) {
      const ssh = new URL(SSH);
      const sshEngine = new Docker({ protocol: "ssh", host: ssh.hostname, port: Number(ssh.port), username: ssh.username, sshOptions: { privateKey: fs.readFileSync(SSH_KEY) } });
      const sshFloor = await timeMedian(
        () => Promise.all([fs.promises.readdir(ctx.containerDir), sshEngine.info(), sshEngine.listImages({ filters: JSON.stringify({ reference: ["hakuriver/*:base"] }) })]),
        ctx.quick ? 5 : 11,
        2,
      );
      const sshValue = await timeMedian(() => get(`${ctx.server.url}/api/runners/r2ssh`, ctx.server.bearer), ctx.quick ? 5 : 11, 2);
      ctx.add({ section: "runners", measure: `status, 1 Runner × ${envs} environments over SSH`, value: sshValue, unit: "ms", floor: sshFloor, ratio: sshValue / sshFloor, target: "≤ 1.2×", met: sshValue / sshFloor <= 1.2 });
    }
  } finally {
    for (const f of files) fs.rmSync(f, { force: true });
    for (const e of engines) for (const ref of refs) await e.getImage(ref).remove({ force: true }).catch(() => {});
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
