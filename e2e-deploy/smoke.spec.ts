import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { DockerPage, ShellModal, TarballsTab } from "../e2e/pages/docker-page";
import { execIn, removeContainer, removeImage, runEnvironmentContainer, uniqueName } from "../tests/helpers/docker";
import { DEPLOY_TOKEN, HTTPS_PORT, HTTP_PORT } from "./env";
import { docker, httpsRequest, readFromVolume, rigState, waitHealthy } from "./rig";

// One deployment, used in order: the last test stops and restarts it.
test.describe.configure({ mode: "serial" });

const made: string[] = [];
/** The environment most tests use, and the one the last test packages while the dashboard stops. */
let name: string;
let stopName: string;

async function environment(prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  made.push(name);
  await runEnvironmentContainer(name);
  return name;
}

// Before any page loads: a container starting adds a network interface, and Chromium fails the
// requests in flight when one appears (ERR_NETWORK_CHANGED).
test.beforeAll(async () => {
  name = await environment("dep");
  stopName = await environment("stop");
  // Enough data that saving takes a few seconds.
  expect((await execIn(stopName, ["sh", "-c", "head -c 268435456 /dev/urandom > /root/data"])).exitCode).toBe(0);
});

test.afterAll(async () => {
  for (const name of made) {
    await removeContainer(name);
    await removeImage(`hakuriver/${name}:base`);
  }
});

/**
 * Logs in and opens the Docker page with every script loaded. Other containers starting on this
 * host (other test suites) add network interfaces, and Chromium then fails requests in flight with
 * ERR_NETWORK_CHANGED, leaving a page that never hydrates; a person would reload, and so do we.
 */
async function openDashboard(page: Page): Promise<DockerPage> {
  const docker_ = new DockerPage(page);
  const failed: string[] = [];
  page.on("requestfailed", (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));
  for (let attempt = 1; ; attempt++) {
    failed.length = 0;
    try {
      await docker_.login(DEPLOY_TOKEN);
      await page.waitForLoadState("load");
      if (!failed.length) return docker_;
    } catch (err) {
      if (!/ERR_NETWORK_CHANGED|chrome-error:/.test(String(err))) throw err;
      failed.push(String(err));
    }
    // Interfaces come and go in bursts (a test suite starting containers): wait a moment.
    expect(attempt, `requests kept failing:\n${failed.join("\n")}`).toBeLessThan(6);
    await page.waitForTimeout(500 * attempt);
  }
}

/** Clicks Create Tar until its progress shows (a click that lands before hydration does nothing). */
async function createTar(page: Page, docker_: DockerPage, name: string): Promise<Locator> {
  const progress = page.getByRole("status", { name: `Create Tar of ${name}` });
  await expect(docker_.status(name)).toHaveText("Running");
  await expect(async () => {
    await docker_.button(name, "Create Tar").click({ timeout: 2_000 });
    await expect(progress).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 20_000 });
  return progress;
}

/** Runs `cmd` on the host as nobody (uid 65534, no supplementary groups): a Runner is not us. */
function asAnotherUser(cmd: string[]): string {
  return execFileSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--", ...cmd], { encoding: "utf8" });
}

test("through nginx over HTTPS: plain HTTP is redirected, login sets a Secure cookie, the list shows the container", async ({ page, context, request }) => {
  const redirect = await request.get(`http://127.0.0.1:${HTTP_PORT}/docker`, { maxRedirects: 0 });
  expect(redirect.status()).toBe(301);
  expect(redirect.headers().location).toBe("https://127.0.0.1/docker");

  const docker_ = await openDashboard(page);
  const cookie = (await context.cookies()).find((c) => c.name === "hakuriver_session");
  expect(cookie, "the session cookie").toBeDefined();
  expect(cookie).toMatchObject({ secure: true, httpOnly: true, sameSite: "Strict" });
  await expect(docker_.status(name)).toHaveText("Running");
});

test("Create Tar through the proxy writes a version another user on the host can read", async ({ page }) => {
  const { containerDir } = rigState();
  const docker_ = await openDashboard(page);
  const progress = await createTar(page, docker_, name);
  await expect(progress).toContainText(/Packaged .* as .*\.tar/, { timeout: 45_000 });
  const file = (await progress.textContent())!.match(new RegExp(`${name}-\\d+\\.tar`))![0];

  const tarballs = new TarballsTab(page);
  await docker_.tab("Shared Tarballs").click();
  await expect(tarballs.environment(name)).toContainText(file);

  // On the host, in the directory Runners read, as written by uid 1000 inside the container.
  const full = path.join(containerDir, file);
  const st = fs.statSync(full);
  expect((st.mode & 0o777).toString(8)).toBe("644");
  expect((fs.statSync(containerDir).mode & 0o777).toString(8)).toBe("755");
  // What a Runner does with it: `docker load` reads it; here another user lists its entries.
  expect(asAnotherUser(["tar", "-tf", full])).toContain("manifest.json");
});

test("a Shell runs over wss through nginx: echo round trip", async ({ page }) => {
  const sockets: { url: string; received: number }[] = [];
  page.on("websocket", (ws) => {
    const entry = { url: ws.url(), received: 0 };
    sockets.push(entry);
    ws.on("framereceived", () => entry.received++);
  });
  const docker_ = await openDashboard(page);
  const shell = new ShellModal(page, name);
  await shell.open(docker_);
  await shell.type("echo hi-$((6*7))");
  await expect(shell.screen).toContainText("hi-42");
  const upgraded = sockets.filter((s) => s.url.startsWith(`wss://127.0.0.1:${HTTPS_PORT}/socket.io/`) && s.url.includes("transport=websocket"));
  expect(upgraded, JSON.stringify(sockets)).not.toHaveLength(0);
  expect(upgraded.some((s) => s.received > 2), "frames arrived over the WebSocket").toBe(true);
  await shell.dialog.getByRole("button", { name: "Close shell" }).click();
  await expect(shell.dialog).toBeHidden();
});

test("the login limiter counts the client nginx saw, not the proxy and not a forged X-Forwarded-For", async () => {
  const login = (token: string, localAddress: string, forged?: string) =>
    httpsRequest("/api/auth/login", {
      method: "POST",
      localAddress,
      headers: { "Content-Type": "application/json", ...(forged ? { "X-Forwarded-For": forged } : {}) },
      body: JSON.stringify({ token }),
    });
  // Another client (127.0.0.2), forging a new address each time: every attempt counts against it.
  for (let i = 0; i < 10; i++) expect((await login("wrong-token-0123456789", "127.0.0.2", `198.51.100.${i}`)).status).toBe(401);
  const blocked = await login(DEPLOY_TOKEN, "127.0.0.2", "198.51.100.77");
  expect(blocked.status).toBe(429);
  expect(blocked.headers["retry-after"]).toBeDefined();
  // Everyone else behind the same proxy still logs in, with a Secure cookie.
  const ok = await login(DEPLOY_TOKEN, "127.0.0.1");
  expect(ok.status).toBe(200);
  expect(String(ok.headers["set-cookie"])).toMatch(/hakuriver_session=[^;]+;.*Secure/);
});

test("docker stop during a Create Tar leaves no partial file, and the journal says the job was cancelled", async ({ page }) => {
  test.setTimeout(120_000);
  const { container, containerDir, volume } = rigState();
  const name = stopName;
  const docker_ = await openDashboard(page);
  await createTar(page, docker_, name);
  const partial = () => fs.readdirSync(containerDir).filter((f) => f.startsWith(".") || f.includes(name));
  await expect.poll(partial, { timeout: 30_000, intervals: [50] }).toHaveLength(1);
  expect(partial()[0]).toMatch(/^\..*\.partial$/);

  const stopping = Date.now();
  docker("stop", "--time", "20", container);
  const stopSeconds = (Date.now() - stopping) / 1000;
  const state = JSON.parse(docker("inspect", "-f", "{{json .State}}", container)) as { ExitCode: number; OOMKilled: boolean };
  expect(state.ExitCode, "exited by itself on SIGTERM, not killed").toBe(0);
  expect(stopSeconds).toBeLessThan(10);

  expect(partial(), "no partial or published file").toEqual([]);
  // The job journal (lib/jobs/journal.ts): one line per change, the last line of a job wins.
  type Line = { job: { kind: string; target: string; outcome?: { result: string; details?: { file?: string } } } };
  const lines = readFromVolume(volume, "jobs.jsonl").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Line);
  const job = lines.map((l) => l.job).filter((j) => j.kind === "package" && j.target === name).at(-1);
  expect(job?.outcome).toMatchObject({ result: "cancelled" });
  expect(job?.outcome?.details?.file).toBeUndefined();

  // Started again, it reports that job as it ended.
  docker("start", container);
  await waitHealthy(container);
  const jobs = await httpsRequest("/api/tarballs/jobs", { headers: { Authorization: `Bearer ${DEPLOY_TOKEN}` } });
  expect(jobs.status).toBe(200);
  expect((JSON.parse(jobs.body) as { jobs: { env: string; phase: string }[] }).jobs.find((j) => j.env === name)).toMatchObject({ phase: "cancelled" });
  console.log(`[deploy] docker stop during Create Tar took ${stopSeconds.toFixed(1)} s`);
});
