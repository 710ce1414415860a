import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { E2E_CONTAINER_DIR } from "./env";
import { DockerPage, TarballsTab } from "./pages/docker-page";
import { LOCAL_IMAGE, PULL_IMAGE, engine, removeContainer, removeImage, uniqueName } from "../tests/helpers/docker";

const made: string[] = [];
test.afterAll(async () => {
  for (const name of made) {
    await removeContainer(name);
    await removeImage(`hakuriver/${name}:base`);
  }
});

test("a container the Python host made is adopted from Show all, then listed with the environments; Delete ends the adoption", async ({ page }) => {
  const name = uniqueName("legacy");
  made.push(name);
  // What the Python host runs: docker run -d --name <name> <image> sleep infinity (no labels).
  const c = await engine.createContainer({ name, Image: LOCAL_IMAGE, Cmd: ["sleep", "infinity"] });
  await c.start();
  const docker = new DockerPage(page);
  await docker.login();
  await docker.open("?tab=containers");
  await expect(docker.row(name)).toHaveCount(0);

  await docker.open("?tab=containers&all=1");
  const adopt = docker.row(name).getByRole("button", { name: "Adopt", exact: true });
  await expect(adopt).toBeVisible();
  await adopt.click();
  await expect(page.getByText(`Adopted ${name} as environment ${name}`)).toBeVisible();
  await expect(adopt).toHaveCount(0);

  await docker.open("?tab=containers");
  await expect(docker.row(name)).toBeVisible();
  await expect(docker.row(name)).toContainText("adopted");
  await page.screenshot({ path: "test-results/screens/adopted-row.png", fullPage: true });

  await docker.deleteContainer(name);
  await expect(docker.row(name)).toHaveCount(0);
});

test("Create Tar says which older versions retention removed, and Shared Tarballs shows the keep setting", async ({ page }) => {
  test.setTimeout(90_000);
  const docker = new DockerPage(page);
  await docker.login();
  const name = uniqueName("keep");
  made.push(name);
  await docker.fillCreateForm(LOCAL_IMAGE, name);
  await docker.submitCreate();
  await expect(docker.status(name)).toHaveText("Running");
  // Three older versions, as the Python host would have left them; the server keeps 3 (the default).
  fs.mkdirSync(E2E_CONTAINER_DIR, { recursive: true });
  for (const ts of [1700000000, 1700000100, 1700000200]) fs.writeFileSync(path.join(E2E_CONTAINER_DIR, `${name}-${ts}.tar`), "older");

  await docker.button(name, "Create Tar").click();
  const progress = page.getByRole("status", { name: `Create Tar of ${name}` });
  await expect(progress).toContainText(/Packaged .* as .*\.tar/, { timeout: 60_000 });
  await expect(progress).toContainText(`Removed older version: ${name}-1700000000.tar`);
  // The row, the Jobs notice and the toast say the same thing.
  const words = (await progress.getByTestId("package-words").textContent())!;
  await expect(docker.job(`Create Tar of ${name}`).getByTestId("job-words")).toHaveText(words);
  await expect(page.locator("[data-sonner-toast]").getByText(words)).toBeVisible();
  expect(fs.existsSync(path.join(E2E_CONTAINER_DIR, `${name}-1700000000.tar`))).toBe(false);
  expect(fs.existsSync(path.join(E2E_CONTAINER_DIR, `${name}-1700000100.tar`))).toBe(true);

  const tarballs = new TarballsTab(page);
  await tarballs.open();
  await expect(page.getByTestId("keep-setting")).toContainText("keeps the newest 3 versions of each environment");
  await expect(tarballs.environment(name)).toContainText("3");
});

test("a creation goes on across a reload: the pending row shows the pull with Cancel, and Cancel leaves nothing behind", async ({ page }) => {
  test.setTimeout(90_000);
  const { startSlowRegistry } = await import("../tests/helpers/slow-registry");
  const slow = await startSlowRegistry(3 * 1024 * 1024);
  const name = uniqueName("slow");
  made.push(name);
  try {
    await removeImage(slow.image());
    await removeImage(PULL_IMAGE);
    const docker = new DockerPage(page);
    await docker.login();
    await docker.fillCreateForm(slow.image(), name);
    await docker.submitCreate();
    await expect(docker.createDialog.getByText(`Pulling ${slow.image()}`)).toBeVisible();
    await page.reload();
    const row = page.locator(`tr[data-creating="${name}"]`);
    await expect(row).toBeVisible();
    await expect(row.getByRole("status", { name: `Creating ${name}` })).toContainText(/Pulling .*: [\d.]+ [KM]iB of [\d.]+ MiB/);
    await page.screenshot({ path: "test-results/screens/creation-row.png", fullPage: true });
    await row.getByRole("button", { name: "Cancel", exact: true }).click();
    await expect(row).toHaveCount(0, { timeout: 15_000 });
    await expect(docker.row(name)).toHaveCount(0);
    await expect(engine.getContainer(name).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(engine.getImage(slow.image()).inspect()).rejects.toMatchObject({ statusCode: 404 });
  } finally {
    await slow.close();
  }
});
