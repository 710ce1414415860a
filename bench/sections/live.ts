import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";
import type { BenchContext } from "../run";
import { median, now, percentile, watchLongTasks } from "../lib";
import { LOCAL_IMAGE, engine, removeContainer } from "../../tests/helpers/docker";
import { loginCookie, startServer } from "../../tests/helpers/server";

/**
 * Live updates (issue 12): how fast a change made outside the dashboard reaches the screen, and how
 * many container list calls open pages cost the engine at idle. The dashboard talks to the engine
 * through a counting proxy on a Unix socket, so the count is the engine's, not the pages'.
 */
function countingProxy(target = "/var/run/docker.sock") {
  const socketPath = path.join(os.tmpdir(), `hr-bench-engine-${process.pid}.sock`);
  fs.rmSync(socketPath, { force: true });
  let lists = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    client.on("data", (chunk: Buffer) => {
      lists += chunk.toString("latin1").match(/^GET \/(v[\d.]+\/)?containers\/json/gm)?.length ?? 0;
    });
    client.pipe(upstream).pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  return {
    socketPath,
    lists: () => lists,
    listen: () => new Promise<void>((resolve) => server.listen(socketPath, resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function benchLive(ctx: BenchContext): Promise<void> {
  const proxy = countingProxy();
  await proxy.listen();
  const server = await startServer({ DOCKER_HOST: `unix://${proxy.socketPath}` });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" });
  const made: string[] = [];
  try {
    const [name, value] = (await loginCookie(server)).split("=");
    const context = await browser.newContext();
    await context.addCookies([{ name, value, url: server.url }]);
    const pageCount = ctx.quick ? 3 : 10;
    const idleSeconds = ctx.quick ? 5 : 60;
    const pages = [];
    for (let i = 0; i < pageCount; i++) {
      const page = await context.newPage();
      await page.goto(`${server.url}/docker`);
      await page.locator('[data-live="on"]').waitFor();
      pages.push(page);
    }
    await new Promise((r) => setTimeout(r, 1000));
    const before = proxy.lists();
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const idleLists = proxy.lists() - before;
    ctx.add({ section: "live", measure: `container list calls at idle, ${pageCount} pages × ${idleSeconds} s`, value: idleLists, unit: "", target: "0", met: idleLists === 0 });

    // Event to screen: a container made (then removed) with the engine API outside the dashboard.
    const page = pages[0];
    const appear: number[] = [];
    const vanish: number[] = [];
    const runs = ctx.quick ? 5 : 20;
    for (let i = 0; i < runs; i++) {
      const n = `bench-live-${Date.now().toString(36)}-${i}`;
      made.push(n);
      const c = await engine.createContainer({ name: n, Image: LOCAL_IMAGE, Cmd: ["sleep", "60"], Labels: { "hakuriver.managed": "true", "hakuriver.env": n } });
      let t = now();
      await page.locator(`tr[data-name="${n}"]`).waitFor({ state: "attached", timeout: 10_000 });
      appear.push(now() - t);
      await c.remove({ force: true });
      t = now();
      await page.locator(`tr[data-name="${n}"]`).waitFor({ state: "detached", timeout: 10_000 });
      vanish.push(now() - t);
    }
    const all = [...appear, ...vanish];
    const p50 = median(all);
    const p95 = percentile(all, 95);
    ctx.add({ section: "live", measure: `event to screen p50 (${runs} creates + ${runs} removes outside)`, value: p50, unit: "ms", target: "≤ 100 ms", met: p50 <= 100 });
    ctx.add({ section: "live", measure: "event to screen p95", value: p95, unit: "ms", target: "≤ 300 ms", met: p95 <= 300 });
    ctx.add({ section: "live", measure: "list calls for those changes (one per burst)", value: proxy.lists() - before, unit: "", target: `≤ ${runs * 2}`, met: proxy.lists() - before <= runs * 2 });

    // A burst: many containers made at once outside; the page must stay responsive and converge.
    // One page open (the others were there for the idle count): on 2 cores, ten renderers doing the
    // same work at once would measure the machine's CPU share, not the page.
    for (const other of pages.slice(1)) await other.close();
    const burst = ctx.quick ? 100 : 1000;
    const prefix = `bench-burst-${Date.now().toString(36)}-`;
    const tasks = await watchLongTasks(page);
    const t = now();
    for (let i = 0; i < burst; i += 16) {
      await Promise.all(
        Array.from({ length: Math.min(16, burst - i) }, (_, j) => {
          const n = `${prefix}${i + j}`;
          made.push(n);
          return engine.createContainer({ name: n, Image: LOCAL_IMAGE, Cmd: ["sleep", "60"], Labels: { "hakuriver.managed": "true", "hakuriver.env": n } });
        }),
      );
    }
    // Converged: the page's own pager counts every container the engine has.
    const expected = (await engine.listContainers({ all: true, filters: { label: ["hakuriver.managed=true"] } })).length;
    // Polled with one cheap query every 250 ms: the probe's own work (a text search of the whole page
    // on every frame, as getByText does) runs on the page's main thread and would count as its long tasks.
    await page.waitForFunction(
      (n) => document.querySelector('nav[aria-label="Pages"] span')?.textContent?.trim().endsWith(`of ${n}`) === true,
      expected,
      { polling: 250, timeout: 60_000 },
    );
    const converge = now() - t;
    const longest = await tasks.longest();
    ctx.add({ section: "live", measure: `${burst} containers made in a burst: longest task on the page (1 page open)`, value: longest, unit: "ms", target: "≤ 100 ms", met: longest <= 100 });
    ctx.add({ section: "live", measure: `${burst} containers: until the page shows all of them`, value: converge, unit: "ms" });
  } finally {
    await browser.close();
    await server.stop();
    await proxy.close();
    fs.rmSync(proxy.socketPath, { force: true });
    for (let i = 0; i < made.length; i += 16) await Promise.all(made.slice(i, i + 16).map((n) => removeContainer(n)));
  }
}
