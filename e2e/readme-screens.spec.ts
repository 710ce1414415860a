import { expect, test } from "@playwright/test";
import { makeRealRows, type RealRows } from "./fixtures/real-rows";
import { DockerPage, ShellModal, TarballsTab } from "./pages/docker-page";

/**
 * The README's screenshots (docs/screenshots/), with the rows real life makes (e2e/fixtures/
 * real-rows.ts, named demo-…): Host Containers at 1440 × 900 and on a phone (390 × 844), Shared
 * Tarballs with an environment and a version's Details open, the Create modal and the Shell. Run on
 * purpose only: `HAKURIVER_README_SCREENS=1 npx playwright test e2e/readme-screens.spec.ts`.
 */
test.skip(!process.env.HAKURIVER_README_SCREENS, "set HAKURIVER_README_SCREENS=1 to refresh the README screenshots");

const OUT = "docs/screenshots";
let rows: RealRows;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  rows = await makeRealRows("demo");
});

test.afterAll(async () => {
  await rows?.cleanup();
});

test("README screenshots: Host Containers (wide and narrow), Shared Tarballs, Create New Container, Shell", async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  const docker = new DockerPage(page);
  const open = (query: string) => page.goto(`${rows.server.url}/docker${query}`);
  await page.goto(`${rows.server.url}/login?token=${rows.server.token}`);
  await open("?q=demo-");
  await expect(docker.row(rows.names.versions).getByTestId("environment-versions")).toContainText("12 versions");
  await expect(page.locator(`[data-packaging-for="${rows.names.packaging}"]`)).toContainText("1.0 MiB");
  await page.screenshot({ path: `${OUT}/host-containers.png` });

  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole("region", { name: "Host Containers" }).evaluate((section) => section.scrollIntoView());
  await page.screenshot({ path: `${OUT}/host-containers-narrow.png` });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.evaluate(() => window.scrollTo(0, 0));

  await docker.fillCreateForm(rows.image, "demo-new-env");
  await page.screenshot({ path: `${OUT}/create-container.png` });
  await docker.createDialog.getByRole("button", { name: "Cancel" }).click();

  const shell = new ShellModal(page, rows.names.versions);
  await shell.open(docker);
  await shell.type("uname -a; ls /");
  await page.waitForTimeout(500);
  await page.screenshot({ path: `${OUT}/shell.png` });
  await shell.dialog.getByRole("button", { name: "Close shell" }).click();

  const tarballs = new TarballsTab(page);
  await open("?tab=tarballs");
  await tarballs.expand(rows.names.versions);
  const file = rows.versionFiles[1];
  await tarballs.version(file).getByRole("button", { name: `Details of ${file}` }).click();
  await expect(page.getByRole("region", { name: `Details of ${file}` })).toContainText("nvidia/cuda");
  await page.evaluate(() => window.scrollTo(0, 420));
  await page.screenshot({ path: `${OUT}/shared-tarballs.png` });
});
