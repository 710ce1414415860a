import { expect, test } from "@playwright/test";
import { DockerPage } from "./pages/docker-page";
import { LOCAL_IMAGE, engine, removeContainer, uniqueName } from "../tests/helpers/docker";

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
