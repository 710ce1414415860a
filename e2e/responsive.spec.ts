import fs from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { E2E_CONTAINER_DIR, E2E_TOKEN } from "./env";
import { DockerPage, ShellModal } from "./pages/docker-page";
import { execIn, removeContainer, runEnvironmentContainer, uniqueName } from "../tests/helpers/docker";

/**
 * The Docker view at phone, tablet, laptop and desktop widths, with a 63-character container name
 * (the longest legal one) in the list: no sideways page scroll, every action on screen, modals
 * inside the viewport. Screenshots of each screen at 390 and 1440 px go to test-results/screens/.
 */
const base = uniqueName("wide");
const longName = `${base}-${"x".repeat(63 - base.length - 1)}`;
const widths = [390, 768, 1024, 1440] as const;
// Other suites' runs clear test-results/: HAKURIVER_SCREENS_DIR puts them elsewhere.
const SHOTS = process.env.HAKURIVER_SCREENS_DIR ?? "test-results/screens";

test.beforeAll(async () => {
  expect(longName).toHaveLength(63);
  await runEnvironmentContainer(longName);
  fs.mkdirSync(E2E_CONTAINER_DIR, { recursive: true });
  fs.writeFileSync(path.join(E2E_CONTAINER_DIR, `${longName}-1700000000.tar`), "older version");
  fs.mkdirSync(SHOTS, { recursive: true });
});

test.afterAll(async () => {
  await removeContainer(longName);
  fs.rmSync(path.join(E2E_CONTAINER_DIR, `${longName}-1700000000.tar`), { force: true });
});

async function expectNoSidewaysScroll(page: Page, what: string) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, `${what}: page is ${scrollWidth} px wide in a ${clientWidth} px window`).toBeLessThanOrEqual(clientWidth);
}

/** The element is fully inside the window (not cut off at any edge). */
async function expectOnScreen(page: Page, locator: ReturnType<Page["locator"]>, what: string) {
  const box = await locator.boundingBox();
  const view = page.viewportSize()!;
  expect(box, `${what} has no box`).not.toBeNull();
  expect(box!.x, `${what} left edge`).toBeGreaterThanOrEqual(0);
  expect(box!.y, `${what} top edge`).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, `${what} right edge`).toBeLessThanOrEqual(view.width + 0.5);
  expect(box!.y + box!.height, `${what} bottom edge`).toBeLessThanOrEqual(view.height + 0.5);
}

const shot = (page: Page, name: string, width: number) =>
  width === 390 || width === 1440 ? page.screenshot({ path: `${SHOTS}/${name}-${width}.png` }) : Promise.resolve();

/** The row's actions: inline from 640 px, behind "More actions" on phones. Returns after they are visible. */
async function showActions(page: Page, docker: DockerPage, width: number) {
  const row = docker.row(longName);
  if (width < 640) {
    await expect(row.getByRole("button", { name: "Create Tar", exact: true })).toBeHidden();
    await expect(async () => {
      await row.getByRole("button", { name: "More actions" }).click({ timeout: 2_000 });
      await expect(row.getByRole("group", { name: `Actions for ${longName}` })).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
  }
  for (const label of ["Stop", "Create Tar", "Shell", "Delete"]) {
    const button = row.getByRole("button", { name: label, exact: true });
    await expect(button).toBeVisible();
    await expectOnScreen(page, button, `${label} at ${width} px`);
  }
}

for (const width of widths) {
  test(`at ${width} px: no sideways scroll on any tab, every row action reachable, modals fit`, async ({ page }) => {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    const docker = new DockerPage(page);
    await docker.login();
    // Filtered to this test's container: other suites (and benches) may fill the first pages.
    await docker.open(`?q=${base}`);
    await expect(docker.row(longName)).toBeVisible();
    await expect(page.locator("[data-live=on]")).toBeVisible();
    await expectNoSidewaysScroll(page, "Host Containers");
    // The name is shown in full (wrapping where the screen is narrow); the cell never pushes the row wider.
    const nameCell = docker.row(longName).getByRole("rowheader");
    await expect(nameCell).toContainText(longName);
    expect(await nameCell.evaluate((th) => th.scrollWidth <= th.clientWidth)).toBe(true);
    await expectOnScreen(page, docker.status(longName), `status at ${width} px`);
    await expect(docker.row(longName).getByTestId("environment-versions")).toContainText("1 version · latest");
    await shot(page, "host-containers", width);

    await showActions(page, docker, width);
    if (width < 640) await shot(page, "actions-menu", width);
    await expectNoSidewaysScroll(page, "Host Containers with the actions open");

    // Delete asks first; the confirm fits the window and Cancel keeps the container.
    await docker.row(longName).getByRole("button", { name: "Delete", exact: true }).click();
    const confirm = page.getByRole("dialog", { name: `Delete container ${longName}?` });
    await expect(confirm).toBeVisible();
    await expectOnScreen(page, confirm, `delete confirm at ${width} px`);
    expect(await confirm.evaluate((d) => d.scrollWidth <= d.clientWidth)).toBe(true);
    await shot(page, "delete-confirm", width);
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await expect(confirm).toBeHidden();

    // The Shell modal fits too, with its buttons on screen.
    const shell = new ShellModal(page, longName);
    await showActions(page, docker, width);
    await docker.row(longName).getByRole("button", { name: "Shell", exact: true }).click();
    await expect(shell.dialog.getByRole("status").filter({ hasText: "Connected" })).toBeVisible();
    await expectOnScreen(page, shell.dialog, `shell at ${width} px`);
    await expectOnScreen(page, shell.dialog.getByRole("button", { name: "Close shell" }), `Close shell at ${width} px`);
    // What the terminal draws is the Shell's own business (e2e/shell.spec.ts): here, that typing reaches it.
    await shell.type(`touch /tmp/typed-at-${width}`);
    await expect.poll(async () => (await execIn(longName, ["ls", "/tmp"])).output).toContain(`typed-at-${width}`);
    await shot(page, "shell", width);
    await shell.dialog.getByRole("button", { name: "Close shell" }).click();
    await expect(shell.dialog).toBeHidden();

    // Create New Container: the form and its buttons inside the window.
    await docker.fillCreateForm("hakuriver-test/busybox:latest", "not-created");
    await expectOnScreen(page, docker.createDialog, `create modal at ${width} px`);
    expect(await docker.createDialog.evaluate((d) => d.scrollWidth <= d.clientWidth)).toBe(true);
    await shot(page, "create-modal", width);
    await docker.createDialog.getByRole("button", { name: "Cancel" }).click();
    await expect(docker.createDialog).toBeHidden();

    await docker.tab("Shared Tarballs").click();
    await expect(page.locator(`tr[data-env="${longName}"]`)).toBeVisible();
    await expect(page.locator(`tr[data-env="${longName}"]`).getByTestId("host-container-mark")).toBeVisible();
    await expectNoSidewaysScroll(page, "Shared Tarballs");
    await shot(page, "shared-tarballs", width);

    await page.getByRole("tab", { name: "Runners" }).click();
    await expect(page.getByRole("tab", { name: "Runners" })).toHaveAttribute("aria-selected", "true");
    await expectNoSidewaysScroll(page, "Runners");
    await shot(page, "runners", width);

    await page.context().clearCookies();
    await page.goto("/login");
    await expectNoSidewaysScroll(page, "Log in");
    await shot(page, "login", width);
  });
}

test("at 390 px People, Tokens and Audit stack their rows: no sideways scroll, each row's buttons on screen", async ({ page, request }) => {
  const owner = { Authorization: `Bearer ${E2E_TOKEN}` };
  const person = `narrow-${Date.now().toString(36)}`;
  const token = `narrow-token-${Date.now().toString(36)}`;
  expect((await request.post("/api/people", { headers: owner, data: { name: person, role: "operator" } })).status()).toBeLessThan(300);
  const made = await request.post("/api/tokens", { headers: owner, data: { name: token, role: "viewer", expiresInDays: 7 } });
  expect(made.status()).toBe(201);
  const { id } = (await made.json()) as { id: string };
  try {
    await page.setViewportSize({ width: 390, height: 844 });
    await new DockerPage(page).login();
    const pages = [
      { path: "/people", table: "People", row: person, button: `Remove ${person}` },
      { path: "/tokens", table: "Personal API tokens", row: token, button: `Revoke ${token}` },
      { path: "/audit", table: "Audit log", row: token, button: undefined },
    ];
    for (const p of pages) {
      await page.goto(p.path);
      const row = page.getByRole("table", { name: p.table }).getByRole("row").filter({ hasText: p.row }).first();
      await expect(row).toBeVisible();
      await expectNoSidewaysScroll(page, p.path);
      await shot(page, p.path.slice(1), 390);
      if (p.button) {
        const button = row.getByRole("button", { name: p.button });
        await button.scrollIntoViewIfNeeded();
        await expectOnScreen(page, button, `${p.button} at 390 px`);
      }
    }
  } finally {
    await request.delete(`/api/people/${person}`, { headers: owner });
    await request.delete(`/api/tokens/${id}`, { headers: owner });
  }
});
