import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { E2E_CONTAINER_DIR, E2E_TOKEN } from "./env";
import { DockerPage, ShellModal, TarballsTab } from "./pages/docker-page";
import { LOCAL_IMAGE, removeContainer, runEnvironmentContainer } from "../tests/helpers/docker";

/**
 * The README's screenshots (docs/screenshots/): the two tabs, the Create modal and the Shell, at
 * 1440 × 900. Run on purpose only: `HAKURIVER_README_SCREENS=1 npx playwright test e2e/readme-screens.spec.ts`.
 */
test.skip(!process.env.HAKURIVER_README_SCREENS, "set HAKURIVER_README_SCREENS=1 to refresh the README screenshots");

const OUT = "docs/screenshots";
const envs = ["demo-python-dev", "demo-cuda-train", "demo-web-scraper"];
const now = Math.floor(Date.now() / 1000);
const files = [
  `${envs[0]}-${now - 2 * 3600}.tar`,
  `${envs[0]}-${now - 3 * 86_400}.tar`,
  `${envs[1]}-${now - 26 * 3600}.tar`,
  `demo-legacy-env-${now - 40 * 86_400}.tar`,
];

test.beforeAll(async () => {
  for (const env of envs) {
    await removeContainer(env);
    await runEnvironmentContainer(env);
  }
  fs.mkdirSync(E2E_CONTAINER_DIR, { recursive: true });
  for (const f of files) fs.writeFileSync(path.join(E2E_CONTAINER_DIR, f), Buffer.alloc(64 * 1024));
  fs.mkdirSync(OUT, { recursive: true });
});

test.afterAll(async () => {
  for (const env of envs) await removeContainer(env);
  for (const f of files) fs.rmSync(path.join(E2E_CONTAINER_DIR, f), { force: true });
});

test("README screenshots: Host Containers, Shared Tarballs, Create New Container, Shell", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const docker = new DockerPage(page);
  await docker.login();
  // Stopped with the dashboard's own Stop, as a user would (an outside stop would read as a warning).
  expect((await page.request.post(`/api/containers/${envs[2]}/stop`, { headers: { Authorization: `Bearer ${E2E_TOKEN}` } })).status()).toBe(200);
  await docker.open("?q=demo-");
  await expect(docker.row(envs[0]).getByTestId("environment-versions")).toContainText("2 versions");
  await page.screenshot({ path: `${OUT}/host-containers.png` });

  await docker.fillCreateForm(LOCAL_IMAGE, "demo-new-env");
  await page.screenshot({ path: `${OUT}/create-container.png` });
  await docker.createDialog.getByRole("button", { name: "Cancel" }).click();

  const shell = new ShellModal(page, envs[0]);
  await shell.open(docker);
  await shell.type("uname -a; ls /");
  await page.waitForTimeout(500);
  await page.screenshot({ path: `${OUT}/shell.png` });
  await shell.dialog.getByRole("button", { name: "Close shell" }).click();

  const tarballs = new TarballsTab(page);
  await tarballs.open();
  await tarballs.expand(envs[0]);
  await page.screenshot({ path: `${OUT}/shared-tarballs.png` });
});
