import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { chromium } from "@playwright/test";
import { io as connect } from "socket.io-client";
import type { BenchContext } from "../run";
import { dashboardGet, median, now, percentile, rssMiB, sampleRss } from "../lib";
import { startSlowEngine } from "../../tests/helpers/delay-proxy";
import { LOCAL_IMAGE, engine, removeContainer } from "../../tests/helpers/docker";
import { loginCookie, startServer, type TestServer } from "../../tests/helpers/server";

const run = promisify(execFile);

/**
 * Logs and Stats (issue 27): the first screen of logs of a container that printed a lot, against
 * `docker logs --tail 1000` of it; Follow from a line printed to its rendering in Chromium; and
 * many open Stats views: the server's CPU and the engine's stats streams, counted by a proxy in
 * front of the engine's socket.
 */
export async function benchLogs(ctx: BenchContext): Promise<void> {
  const made: string[] = [];
  try {
    await firstScreen(ctx, made);
    const upstream = (process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock").replace(/^unix:\/\//, "");
    const socketPath = path.join(os.tmpdir(), `hr-bench-logs-${process.pid}.sock`);
    fs.rmSync(socketPath, { force: true });
    const proxy = await startSlowEngine(upstream, socketPath, /^$/, 0);
    const server = await startServer({ DOCKER_HOST: `unix://${socketPath}` });
    try {
      await followLatency(ctx, server, made);
      await statsViews(ctx, server, proxy, made);
    } finally {
      await server.stop();
      await proxy.close();
      fs.rmSync(socketPath, { force: true });
    }
  } finally {
    for (const n of made) await removeContainer(n);
  }
}

async function runContainer(made: string[], prefix: string, script: string): Promise<string> {
  const name = `${prefix}-${Date.now().toString(36)}`;
  made.push(name);
  const c = await engine.createContainer({ name, Image: LOCAL_IMAGE, Cmd: ["sh", "-c", script], HostConfig: { Init: true } });
  await c.start();
  return name;
}

async function firstScreen(ctx: BenchContext, made: string[]): Promise<void> {
  const mb = ctx.quick ? 20 : 500;
  // 100-character lines, then the container waits (a running container, as one would look at).
  const name = await runContainer(made, "bench-logs-big", `head -c ${mb * 1000 * 1000} /dev/zero | tr '\\0' x | fold -w 99; echo printed-all; exec sleep 3600`);
  const deadline = Date.now() + 600_000;
  while (!(await run("docker", ["logs", "--tail", "1", name])).stdout.includes("printed-all")) {
    if (Date.now() > deadline) throw new Error("the container did not finish printing");
    await new Promise((r) => setTimeout(r, 500));
  }
  const runs = ctx.quick ? 5 : 15;
  const floor: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const t = now();
    await run("docker", ["logs", "--tail", "1000", name], { maxBuffer: 64 * 1024 * 1024 });
    if (i > 0) floor.push(now() - t);
  }
  const pid = ctx.server.process.pid!;
  const url = `${ctx.server.url}/docker/containers/${name}?view=logs`;
  const headers = { Cookie: ctx.cookie };
  await dashboardGet(url, headers);
  const before = rssMiB(pid);
  const peak = sampleRss(pid, 20);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = now();
    const html = (await dashboardGet(url, headers)).toString("utf8");
    times.push(now() - t);
    if (!html.includes("printed-all")) throw new Error("the first screen lacks the last line");
  }
  const growth = peak.stop() - before;
  const ours = median(times);
  const docker = median(floor);
  ctx.add({ section: "logs", measure: `first screen of logs (1000 lines) of a container that printed ${mb} MB`, value: ours, unit: "ms", floor: docker, ratio: ours / docker, target: "≤ 300 ms, ≤ 1.5× docker logs --tail 1000", met: ours <= 300 && ours / docker <= 1.5 });
  ctx.add({ section: "logs", measure: `server RSS growth over ${runs} first screens`, value: growth, unit: "MiB", target: "≤ 32 MiB", met: growth <= 32 });
}

/** From a line's engine timestamp (when the container printed it) to its paint in Chromium. */
async function followLatency(ctx: BenchContext, server: TestServer, made: string[]): Promise<void> {
  const name = await runContainer(made, "bench-logs-follow", "while true; do echo tick; sleep 0.2; done");
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" });
  try {
    const [cookieName, value] = (await loginCookie(server)).split("=");
    const context = await browser.newContext();
    await context.addCookies([{ name: cookieName, value, url: server.url }]);
    const page = await context.newPage();
    await page.goto(`${server.url}/docker/containers/${name}?view=logs`);
    await page.getByRole("button", { name: "Follow" }).click();
    await page.getByText("Following: new lines appear as they are printed.").waitFor();
    // Each new line: the wall clock at the frame that paints it, and the engine's time printed in it.
    await page.evaluate(() => {
      const seen: [string, number][] = [];
      (window as unknown as { seen: typeof seen }).seen = seen;
      new MutationObserver((records) => {
        const added = records.flatMap((r) => [...r.addedNodes]).filter((n): n is HTMLElement => n instanceof HTMLElement && n.dataset.key !== undefined);
        requestAnimationFrame(() => {
          const at = performance.timeOrigin + performance.now();
          for (const el of added) seen.push([el.firstElementChild?.textContent ?? "", at]);
        });
      }).observe(document.querySelector('[role="log"]')!, { childList: true });
    });
    const lines = ctx.quick ? 25 : 150;
    await page.waitForFunction((n) => (window as unknown as { seen: unknown[] }).seen.length >= n, lines, { timeout: lines * 1000 });
    const seen = await page.evaluate(() => (window as unknown as { seen: [string, number][] }).seen);
    // The page shows milliseconds of the engine's time ("2026-12-04 03:31:35.123").
    const latency = seen.slice(1).map(([time, at]) => at - Date.parse(`${time.replace(" ", "T")}Z`));
    const p50 = median(latency);
    const p95 = percentile(latency, 95);
    ctx.add({ section: "logs", measure: `Follow: printed in the container → painted in Chromium, p50 (${latency.length} lines)`, value: p50, unit: "ms", target: "≤ 100 ms", met: p50 <= 100 });
    ctx.add({ section: "logs", measure: "Follow: printed → painted, p95", value: p95, unit: "ms", target: "≤ 300 ms", met: p95 <= 300 });
  } finally {
    await browser.close();
  }
}

/** CPU seconds (user + system) a process has used. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  // utime and stime, in clock ticks (USER_HZ, 100 on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Many Stats views open on two containers: the server's CPU, and how many stats streams the engine serves. */
async function statsViews(ctx: BenchContext, server: TestServer, proxy: { open: (p: RegExp) => number }, made: string[]): Promise<void> {
  const containers = [await runContainer(made, "bench-stats-a", "exec sleep 3600"), await runContainer(made, "bench-stats-b", "exec sleep 3600")];
  const views = 20;
  const cookie = await loginCookie(server);
  const sockets = Array.from({ length: views }, () => connect(`${server.url}/watch`, { transports: ["websocket"], extraHeaders: { Cookie: cookie, Origin: server.url }, reconnection: false, forceNew: true }));
  try {
    let samples = 0;
    await Promise.all(
      sockets.map(async (s, i) => {
        s.on("stats", () => samples++);
        const ack = await s.timeout(10_000).emitWithAck("watch", { container: containers[i % 2], kind: "stats" });
        if (!ack.ok) throw new Error(`watch refused: ${ack.error}`);
      }),
    );
    const seconds = ctx.quick ? 6 : 30;
    await new Promise((r) => setTimeout(r, 1500));
    const pid = server.process.pid!;
    const cpu0 = cpuSeconds(pid);
    const samples0 = samples;
    const t = now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const share = ((cpuSeconds(pid) - cpu0) / ((now() - t) / 1000)) * 100;
    const streams = proxy.open(/\/containers\/[0-9a-f]+\/stats\?/);
    const perSecond = (samples - samples0) / seconds;
    ctx.add({ section: "logs", measure: `${views} open Stats views (2 containers): server CPU over ${seconds} s`, value: share, unit: "% of a core", target: "≤ 5 %", met: share <= 5 });
    ctx.add({ section: "logs", measure: `${views} open Stats views: engine stats streams`, value: streams, unit: "", target: "2 (one per container)", met: streams === 2 });
    ctx.add({ section: "logs", measure: `${views} open Stats views: updates pushed per view per second`, value: perSecond / views, unit: "/s", target: "≈ 1", met: perSecond / views > 0.8 && perSecond / views < 1.2 });
  } finally {
    for (const s of sockets) s.disconnect();
  }
}
