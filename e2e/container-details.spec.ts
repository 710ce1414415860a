import { expect, test } from "@playwright/test";
import { DockerPage } from "./pages/docker-page";
import { LOCAL_IMAGE, engine, execIn, removeContainer, uniqueName } from "../tests/helpers/docker";
import { expectNoSeriousViolations } from "./fixtures/axe";

let name: string;
const marker = `marker-${Date.now().toString(36)}`;

test.beforeAll(async () => {
  name = uniqueName("details");
  const c = await engine.createContainer({
    name,
    Image: LOCAL_IMAGE,
    Cmd: ["sh", "-c", `echo ${marker}; echo ${marker}-err >&2; exec sleep infinity`],
    Env: [`E2E_SECRET=revealed-${name}`],
    Labels: { "hakuriver.managed": "true", "hakuriver.env": name },
    HostConfig: { Init: true },
  });
  await c.start();
});

test.afterAll(async () => {
  await removeContainer(name);
});

test("Logs from the row show the marker, stderr apart; Download is the whole log as a file", async ({ page }) => {
  const docker = new DockerPage(page);
  await docker.login();
  await docker.open("?tab=containers");
  await docker.row(name).getByRole("link", { name: "Logs / Inspect" }).click();
  await expect(page).toHaveURL(new RegExp(`/docker/containers/${name}\\?view=logs`));
  await expect(page.getByRole("tab", { name: "Logs" })).toHaveAttribute("aria-selected", "true");
  const log = page.getByRole("log", { name: "Log lines" });
  await expect(log.locator('[data-stream="stdout"]', { hasText: marker })).toHaveCount(1);
  await expect(log.locator('[data-stream="stderr"]', { hasText: `${marker}-err` })).toHaveCount(1);

  const download = await page.request.get(`/api/containers/${name}/logs`);
  expect(download.status()).toBe(200);
  expect(download.headers()["content-disposition"]).toMatch(new RegExp(`^attachment; filename="${name}-.*\\.log"$`));
  // The engine copies stdout and stderr apart: their order within one moment is its own.
  expect((await download.text()).split("\n").sort()).toEqual(["", marker, `${marker}-err`]);
});

test("Inspect names the environment; Reveal values shows a value; a missing container is said plainly", async ({ page }) => {
  const docker = new DockerPage(page);
  await docker.login();
  await page.goto(`/docker/containers/${name}?view=inspect`);
  const panel = page.getByRole("tabpanel");
  await expect(panel.getByText("E2E_SECRET", { exact: true })).toBeVisible();
  await expect(panel.getByText(`revealed-${name}`)).toHaveCount(0);
  await panel.getByRole("button", { name: "Reveal values" }).click();
  await expect(panel.getByText(`revealed-${name}`, { exact: true })).toBeVisible();
  // The raw JSON's long lines (LogPath) scroll inside their box, never the page sideways.
  for (const width of [390, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  }

  await page.goto(`/docker/containers/${name}-gone?view=logs`);
  await expect(page.getByText(`No container named ${name}-gone on this Host. It may have been deleted.`)).toBeVisible();
  await page.getByRole("link", { name: "← Host Containers" }).click();
  await expect(page).toHaveURL(/\/docker\?tab=containers/);
});

/** No sideways scroll at a phone's and a desktop's width; a screenshot of each, in light and dark, to look at. */
async function checkWidths(page: import("@playwright/test").Page, screen: string) {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const width of [390, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), `${screen} at ${width} px`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `test-results/screens/container-${screen}-${width}-${scheme}.png`, fullPage: true });
    }
    await expectNoSeriousViolations(page, `${screen} (${scheme})`);
  }
  await page.emulateMedia({ colorScheme: "light" });
}

test("Follow shows a line printed afterwards within a second, and Search finds it", async ({ page }) => {
  const docker = new DockerPage(page);
  await docker.login();
  await docker.open("?tab=containers");
  await docker.row(name).getByRole("link", { name: "Logs / Inspect" }).click();
  const log = page.getByRole("log", { name: "Log lines" });
  await expect(log.getByText(marker, { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Follow" }).click();
  await expect(page.getByText("Following: new lines appear as they are printed.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Stop following" })).toHaveAttribute("aria-pressed", "true");

  const followed = `followed-${marker}`;
  // Printed by the container's own PID 1 (what its log records), not by the exec.
  await execIn(name, ["sh", "-c", `echo ${followed} > /proc/1/fd/1`]);
  await expect(log.locator('[data-stream="stdout"]', { hasText: followed })).toBeVisible({ timeout: 1000 });

  await page.getByRole("searchbox", { name: "Search loaded lines" }).fill("FOLLOWED-");
  await expect(page.getByText("1 of 1", { exact: true })).toBeVisible();
  await expect(log.locator('[data-match="current"] mark')).toHaveText(followed.slice(0, 9));
  await page.getByRole("searchbox", { name: "Search loaded lines" }).fill(marker);
  await expect(page.getByText("1 of 3", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Next match" }).click();
  await expect(page.getByText("2 of 3", { exact: true })).toBeVisible();
  await page.getByRole("searchbox", { name: "Search loaded lines" }).press("Shift+Enter");
  await expect(page.getByText("1 of 3", { exact: true })).toBeVisible();
  await checkWidths(page, "logs");

  // A range in the past: nothing of it, said plainly; Follow is for new lines only then.
  await page.goto(`/docker/containers/${name}?view=logs&until=2000-01-01T00:00:00Z`);
  await expect(page.getByText(`${name} has printed nothing in this range.`)).toBeVisible();
  await page.goto(`/docker/containers/${name}?view=logs&since=15m`);
  await expect(page.getByRole("combobox", { name: "Since" })).toHaveValue("15m");
  await expect(log.getByText(marker, { exact: true })).toBeVisible();
  await page.goto(`/docker/containers/${name}?view=logs&since=yesterday`);
  await expect(page.getByRole("tabpanel").getByRole("alert")).toContainText('"yesterday" is not a time');
});

test("Stats shows the container's real values live, with a chart of the last 60 s", async ({ page }) => {
  const docker = new DockerPage(page);
  await docker.login();
  await page.goto(`/docker/containers/${name}?view=stats`);
  await expect(page.getByRole("tab", { name: "Stats" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByText("Live: once a second.")).toBeVisible({ timeout: 10_000 });
  const pids = page.locator("dt", { hasText: "PIDs" }).locator("xpath=following-sibling::dd[1]");
  await expect(pids).toHaveText(/^[1-9]\d*$/);
  const memory = page.locator("dt", { hasText: "Memory" }).locator("xpath=following-sibling::dd[1]");
  await expect(memory).toHaveText(/^[\d.]+ [KMG]i?B \/ [\d.]+ [KMG]i?B$/);
  await expect(page.locator("dt", { hasText: "CPU" }).locator("xpath=following-sibling::dd[1]")).toHaveText(/^\d+\.\d %$/);
  await expect(page.getByRole("img", { name: "CPU and memory use over the last 60 seconds" }).locator("canvas")).toBeVisible();
  await expect(page.locator("dt", { hasText: "Samples" }).locator("xpath=following-sibling::dd[1]")).toHaveText(/^[3-9] s of 60$|^\d\d s of 60$/, { timeout: 10_000 });
  await checkWidths(page, "stats");
});
