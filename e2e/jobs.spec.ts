import { expect, test } from "@playwright/test";
import { DockerPage } from "./pages/docker-page";
import { freePort } from "../tests/helpers/server";
import { engine, uniqueName } from "../tests/helpers/docker";

test("a failed creation stays, in its row and in the Jobs notices, until dismissed — across reloads — and stays dismissed", async ({ page }) => {
  const name = uniqueName("failing");
  const port = await freePort(); // nothing listens there: the pull is refused
  const image = `127.0.0.1:${port}/nothing/here:1`;
  const docker = new DockerPage(page);
  await docker.login();
  await docker.fillCreateForm(image, name);
  await docker.submitCreate();
  const notice = docker.job(`Create New Container of ${name}`);
  await expect(notice).toHaveAttribute("data-result", "failed", { timeout: 30_000 });
  await expect(notice).toContainText(/connection refused/);
  await page.keyboard.press("Escape");

  const row = page.locator(`tr[data-creating="${name}"]`);
  await expect(row).toContainText(/connection refused/);
  // The row and the notice say the same thing.
  const words = await notice.getByTestId("job-words").textContent();
  await expect(row).toContainText(words!);

  await page.reload();
  await expect(notice).toHaveAttribute("data-result", "failed");
  await expect(row).toBeVisible();
  await page.screenshot({ path: "test-results/screens/failed-creation-notice.png", fullPage: true });

  await notice.getByRole("button", { name: "Dismiss", exact: true }).click();
  await expect(notice).toHaveCount(0);
  await expect(row).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole("tab", { name: "Host Containers" })).toBeVisible();
  await expect(notice).toHaveCount(0);
  await expect(row).toHaveCount(0);
  await expect(engine.getContainer(name).inspect()).rejects.toMatchObject({ statusCode: 404 });
});
