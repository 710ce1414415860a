import fs from "node:fs";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { E2E_CONTAINER_DIR } from "./env";
import { DockerPage, TarballsTab } from "./pages/docker-page";
import { LOCAL_IMAGE, execIn, removeContainer, uniqueName } from "../tests/helpers/docker";

const name = uniqueName("kbd");

test.afterAll(async () => {
  await removeContainer(name);
  for (const f of fs.readdirSync(E2E_CONTAINER_DIR).filter((f) => f.startsWith(`${name}-`))) fs.rmSync(`${E2E_CONTAINER_DIR}/${f}`, { force: true });
});

const isFocused = (target: Locator) => target.evaluate((el) => el === document.activeElement).catch(() => false);

/** Presses Tab (or Shift+Tab) until `target` has the focus, as a keyboard user would; fails after `limit` presses. */
async function tabTo(page: Page, target: Locator, { back = false, limit = 60 } = {}) {
  await expect(target).toBeVisible();
  for (let i = 0; i < limit; i++) {
    if (await isFocused(target)) return;
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
  }
  expect(await isFocused(target), `${target} never got the focus in ${limit} presses`).toBe(true);
}

async function expectFocused(target: Locator, what: string) {
  await expect.poll(() => isFocused(target), { message: `focus on ${what}` }).toBe(true);
}

test("keyboard only: create → shell → Create Tar → expand a version → delete it", async ({ page }) => {
  test.setTimeout(120_000);
  const docker = new DockerPage(page);
  await docker.login();
  await expect(page.locator("[data-live=on]")).toBeVisible();

  // Create New Container: open, fill, submit; focus comes back to the button.
  const createButton = page.getByRole("button", { name: "Create New Container" });
  await tabTo(page, createButton);
  await page.keyboard.press("Enter");
  await expect(docker.createDialog).toBeVisible();
  await expectFocused(docker.createDialog.getByLabel("Docker Image Name"), "Docker Image Name");
  await page.keyboard.type(LOCAL_IMAGE);
  await page.keyboard.press("Tab");
  await expectFocused(docker.createDialog.getByLabel("HakuRiver Container Name"), "HakuRiver Container Name");
  await page.keyboard.type(name);
  await page.keyboard.press("Enter");
  await expect(docker.createDialog).toBeHidden({ timeout: 30_000 });
  await expectFocused(createButton, "Create New Container after the modal");

  // Find it with the filter (other suites' containers may be newer).
  await tabTo(page, page.getByRole("searchbox", { name: "Filter by name" }), { back: true });
  await page.keyboard.type(name);
  await expect(page).toHaveURL(new RegExp(`q=${name}`));
  await expect(docker.status(name)).toHaveText("Running");

  // Shell: type into it, leave the terminal with Ctrl+Shift+L, close; focus back on Shell.
  const shellButton = docker.button(name, "Shell");
  await tabTo(page, shellButton);
  await page.keyboard.press("Enter");
  const shell = page.getByRole("dialog", { name: `Shell: ${name}` });
  await expect(shell.getByRole("status").filter({ hasText: "Connected" })).toBeVisible();
  await page.keyboard.type("touch /tmp/typed-by-keyboard");
  await page.keyboard.press("Enter");
  await expect.poll(async () => (await execIn(name, ["ls", "/tmp"])).output).toContain("typed-by-keyboard");
  await page.keyboard.press("Control+Shift+L");
  const closeShell = shell.getByRole("button", { name: "Close shell" });
  await expectFocused(closeShell, "Close shell after Ctrl+Shift+L");
  await page.keyboard.press("Enter");
  await expect(shell).toBeHidden();
  await expectFocused(shellButton, "Shell after closing the terminal");

  // Create Tar.
  await tabTo(page, docker.button(name, "Create Tar"), { back: true });
  await page.keyboard.press("Enter");
  const progress = page.getByRole("status", { name: `Create Tar of ${name}` });
  await expect(progress).toContainText(/Packaged .* as .*\.tar/, { timeout: 60_000 });
  const file = (await progress.textContent())!.match(new RegExp(`${name}-\\d+\\.tar`))![0];

  // The tabs: one tab stop, arrow keys move and open.
  const hostTab = page.getByRole("tab", { name: "Host Containers" });
  await tabTo(page, hostTab, { back: true });
  await page.keyboard.press("ArrowRight");
  const tarballsTab = page.getByRole("tab", { name: "Shared Tarballs" });
  await expectFocused(tarballsTab, "Shared Tarballs tab");
  await expect(tarballsTab).toHaveAttribute("aria-selected", "true");
  await expect(page).toHaveURL(/tab=tarballs/);

  // Expand the environment, then the version's details.
  const tarballs = new TarballsTab(page);
  await tabTo(page, page.getByRole("button", { name: `Expand ${name}` }));
  await page.keyboard.press("Enter");
  await expect(tarballs.versions(name)).toBeVisible();
  const details = page.getByRole("button", { name: `Details of ${file}` });
  await tabTo(page, details);
  await page.keyboard.press("Enter");
  await expect(details).toHaveAttribute("aria-expanded", "true");
  await expect(page.getByRole("region", { name: `Details of ${file}` })).toBeVisible();

  // Delete the version: the confirm opens on Cancel, Tab to Delete, Enter.
  await tabTo(page, tarballs.version(file).getByRole("button", { name: `Delete ${file}` }));
  await page.keyboard.press("Enter");
  const confirm = page.getByRole("dialog", { name: `Delete ${file}?` });
  await expectFocused(confirm.getByRole("button", { name: "Cancel" }), "Cancel in the confirm");
  await page.keyboard.press("Tab");
  await expectFocused(confirm.getByRole("button", { name: "Delete", exact: true }), "Delete in the confirm");
  await page.keyboard.press("Enter");
  await expect(tarballs.version(file)).toHaveCount(0);
  expect(fs.existsSync(`${E2E_CONTAINER_DIR}/${file}`)).toBe(false);
  await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).not.toBe("BODY");
});
