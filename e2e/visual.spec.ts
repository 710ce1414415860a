import { test as base, expect, type Locator, type Page } from "@playwright/test";
import { expectNoSeriousViolations } from "./fixtures/axe";
import { makeRealRows, type RealRows } from "./fixtures/real-rows";
import { shown, steadyTexts } from "./fixtures/steady";
import { engine, uniqueName } from "../tests/helpers/docker";

/**
 * Every screen and dialog with the rows real life makes (e2e/fixtures/real-rows.ts), at 390 and
 * 1440 px in the light and the dark theme, against committed screenshots (a layout change shows in
 * review: `--update-snapshots` after a change meant to be seen), each also checked by axe. Then, at
 * seven widths from 360 to 1920 px: no sideways scroll, every row's actions on screen (on one line
 * from 768 px), nothing sticking out of a cell. The shell is left out (e2e/shell.spec.ts).
 */
const CLOCK = new Date("2026-11-20T09:30:00Z");
// Other suites' runs clear test-results/: HAKURIVER_SCREENS_DIR puts these elsewhere.
const SHOTS = process.env.HAKURIVER_SCREENS_DIR ?? "test-results/screens";
const prefix = uniqueName("vis");
/** A name as the steady page shows it (role names; data-* attributes keep the real ones). */
const S = (text: string) => shown(text, prefix);

const test = base.extend<object, { rows: RealRows }>({
  rows: [
    async ({}, provide) => {
      const rows = await makeRealRows(prefix);
      await provide(rows);
      await rows.cleanup();
    },
    { scope: "worker", timeout: 120_000 },
  ],
  baseURL: async ({ rows }, provide) => provide(rows.server.url),
});
test.use({ timezoneId: "UTC", locale: "en-US" });

async function login(page: Page, rows: RealRows) {
  await page.clock.setFixedTime(CLOCK);
  await steadyTexts(page, { prefix, dataDir: rows.server.dataDir });
  await page.goto(`/login?token=${rows.server.token}`);
  await expect(page).toHaveURL(/\/docker/);
}

/** The Host Containers tab with only this run's rows, live. */
async function openContainers(page: Page, rows: RealRows, all = false) {
  await page.goto(`/docker?q=${prefix}${all ? "&all=1" : ""}`);
  await expect(page.locator(`tr[data-name="${rows.names.packaging}"]`)).toBeVisible();
  await expect(page.locator(`tr[data-creating="${rows.names.failed}"]`)).toBeVisible();
  await expect(page.getByRole("status", { name: S(`Create Tar of ${rows.names.packaging}`) })).toContainText("Saving");
  await expect(page.locator(`tr[data-packaging-for="${rows.names.packaging}"]`)).toContainText("1.0 MiB");
  await expect(page.locator("[data-live=on]")).toBeVisible();
  if (all) await expect(page.locator(`tr[data-name="${rows.names.adoptable}"]`).getByRole("button", { name: "Adopt", includeHidden: true })).toBeAttached();
}

/** Shared Tarballs with the 12-version environment open and its second version's Details. */
async function openTarballs(page: Page, rows: RealRows) {
  await page.goto("/docker?tab=tarballs");
  const env = rows.names.versions;
  await expect(async () => {
    await page.getByRole("button", { name: S(`Expand ${env}`) }).click({ timeout: 2_000 });
    await expect(page.getByRole("table", { name: S(`Versions of ${env}`) })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  const file = rows.versionFiles[1];
  await page.getByRole("button", { name: S(`Details of ${file}`) }).click();
  await expect(page.getByRole("region", { name: S(`Details of ${file}`) })).toContainText("nvidia/cuda");
  await expect(page.locator("[data-live=on]")).toBeVisible();
}

/** The Runners tab once both Runners have answered (one holds nothing of these, one refuses). */
async function openRunners(page: Page) {
  await page.getByRole("tab", { name: "Runners" }).click();
  await expect(page.getByRole("tab", { name: "Runners" })).toHaveAttribute("aria-selected", "true");
  await expect(page.locator("article[data-runner]")).toHaveCount(2);
  await expect(page.getByRole("region", { name: "Runners" })).not.toContainText("Checking");
}

/** Clicks a row's action, through "More actions" where the row keeps them there (phones). */
async function rowAction(row: Locator, name: string) {
  const more = row.getByRole("button", { name: "More actions" });
  if (await more.isVisible()) await more.click();
  await row.getByRole("button", { name, exact: true }).click();
}

async function snap(page: Page, name: string, options: { fullPage?: boolean } = {}) {
  await page.evaluate(() => document.fonts.ready);
  await expect(page).toHaveScreenshot(`${name}.png`, { fullPage: options.fullPage ?? false, animations: "disabled", caret: "hide" });
}

for (const colorScheme of ["light", "dark"] as const) {
  for (const width of [390, 1440] as const) {
    test.describe(`${width} px, ${colorScheme}`, () => {
      test.use({ colorScheme, viewport: { width, height: width === 390 ? 844 : 900 } });
      const id = (screen: string) => `${screen}-${width}-${colorScheme}`;

      test(`Host Containers, its dialogs and Show all`, async ({ page, rows }) => {
        test.setTimeout(180_000);
        await page.clock.setFixedTime(CLOCK);
        await page.goto("/login");
        await snap(page, id("login"));
        await expectNoSeriousViolations(page, "Log in");
        await login(page, rows);
        await openContainers(page, rows);
        await snap(page, id("host-containers"), { fullPage: true });
        await expectNoSeriousViolations(page, "Host Containers");

        const longRow = page.locator(`tr[data-name="${rows.names.longName}"]`);
        if (width === 390) {
          await longRow.getByRole("button", { name: "More actions" }).click();
          await expect(longRow.getByRole("group", { name: S(`Actions for ${rows.names.longName}`) })).toBeVisible();
          await snap(page, id("actions-menu"));
          await page.keyboard.press("Escape");
        }
        await rowAction(longRow, "Delete");
        const confirm = page.getByRole("dialog", { name: S(`Delete container ${rows.names.longName}?`) });
        await expect(confirm).toBeVisible();
        await snap(page, id("delete-container"));
        await confirm.getByRole("button", { name: "Cancel" }).click();

        await rowAction(page.locator(`tr[data-name="${rows.names.versions}"]`), "Package with note…");
        const note = page.getByRole("dialog", { name: S(`Package ${rows.names.versions} with a note`) });
        await note.getByLabel("Note").fill("cuda 12.4 + torch 2.6");
        await snap(page, id("package-with-note"));
        await page.keyboard.press("Escape");
        await expect(note).toBeHidden();

        await page.getByRole("button", { name: "Create New Container" }).click();
        const create = page.getByRole("dialog", { name: "Create New Container" });
        await create.getByLabel("Docker Image Name").fill(rows.image);
        await create.getByLabel("HakuRiver Container Name").fill(rows.names.longName);
        await snap(page, id("create-container"));
        await expectNoSeriousViolations(page, "Create New Container");
        await create.getByRole("button", { name: "Cancel" }).click();

        await openContainers(page, rows, true);
        await snap(page, id("show-all"), { fullPage: true });
        await expectNoSeriousViolations(page, "Show all containers");
      });

      test(`Shared Tarballs, a version's dialogs, and Runners`, async ({ page, rows }) => {
        test.setTimeout(180_000);
        await login(page, rows);
        await openTarballs(page, rows);
        await snap(page, id("shared-tarballs"), { fullPage: true });
        await expectNoSeriousViolations(page, "Shared Tarballs");

        const file = rows.versionFiles[1];
        await page.locator(`tr[data-file="${file}"]`).getByRole("button", { name: S(`Delete ${file}`) }).click();
        const confirm = page.getByRole("dialog", { name: S(`Delete ${file}?`) });
        await expect(confirm).toBeVisible();
        await snap(page, id("delete-version"));
        await confirm.getByRole("button", { name: "Cancel" }).click();

        await page.getByRole("region", { name: S(`Details of ${file}`) }).getByRole("button", { name: "New container from this version" }).click();
        const restore = page.getByRole("dialog", { name: S(`New container from ${file}`) });
        await expect(restore).toBeVisible();
        await snap(page, id("new-container-from-version"));
        await expectNoSeriousViolations(page, "New container from this version");
        await page.keyboard.press("Escape");

        await openRunners(page);
        await snap(page, id("runners"), { fullPage: true });
        await expectNoSeriousViolations(page, "Runners");
      });
    });
  }
}

/** The page is no wider than the window. */
async function expectNoSidewaysScroll(page: Page, what: string) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth, `${what}: the page is ${scrollWidth} px wide in a ${innerWidth} px window`).toBeLessThanOrEqual(innerWidth);
}

/** Cells whose content sticks out of them (a name, date, size or button line that does not fit). */
async function expectNothingSticksOut(page: Page, what: string) {
  const out = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>("tbody td, tbody th")]
      .filter((cell) => cell.offsetParent !== null && cell.scrollWidth > cell.clientWidth + 1)
      .map((cell) => `${cell.closest("tr")?.getAttribute("data-name") ?? cell.closest("tr")?.getAttribute("data-file") ?? "a row"}: "${cell.textContent?.slice(0, 40)}" ${cell.scrollWidth} > ${cell.clientWidth}`),
  );
  expect(out, `${what}: cells too narrow for their content`).toEqual([]);
}

/** Each button is inside the window, and (when `oneLine`) a row's buttons share one line. */
async function expectButtonsOnScreen(page: Page, buttons: Locator, what: string, oneLine: boolean) {
  const boxes = (await buttons.evaluateAll((els) => els.filter((el) => (el as HTMLElement).offsetParent !== null).map((el) => el.getBoundingClientRect().toJSON()))) as DOMRect[];
  const width = await page.evaluate(() => window.innerWidth);
  expect(boxes.length, `${what}: no buttons shown`).toBeGreaterThan(0);
  for (const b of boxes) expect(b.left >= 0 && b.right <= width + 0.5, `${what}: a button at ${b.left}–${b.right} in a ${width} px window`).toBe(true);
  if (oneLine) expect(new Set(boxes.map((b) => Math.round(b.top))).size, `${what}: buttons on more than one line`).toBe(1);
}

/** Every container row's actions: inline (on one line from 768 px), or behind "More actions" on phones, each then on screen. */
async function expectRowActions(page: Page, width: number) {
  for (const row of await page.locator("tr[data-name]").all()) {
    const name = await row.getAttribute("data-name");
    const more = row.getByRole("button", { name: "More actions" });
    if (await more.isVisible()) {
      await expectButtonsOnScreen(page, more, `${name}: More actions at ${width} px`, true);
      await more.click();
      await expectButtonsOnScreen(page, row.getByRole("group").getByRole("button"), `${name}: its menu at ${width} px`, false);
      await page.keyboard.press("Escape");
    } else {
      await expectButtonsOnScreen(page, row.getByRole("group").getByRole("button"), `${name} at ${width} px`, width >= 768);
    }
  }
}

test.describe("at seven widths", () => {
  test.use({ colorScheme: "light" });
  for (const width of [360, 390, 768, 1024, 1280, 1440, 1920]) {
    test(`${width} px: no sideways scroll, every row's actions on screen, nothing cut`, async ({ page, rows }) => {
      await page.setViewportSize({ width, height: 900 });
      await login(page, rows);
      // For a look at the widths the committed screenshots leave out (not compared).
      const look = (name: string) => page.screenshot({ path: `${SHOTS}/visual-${name}-${width}.png`, fullPage: true });
      for (const all of [false, true]) {
        await openContainers(page, rows, all);
        const what = `Host Containers${all ? " (Show all)" : ""} at ${width} px`;
        await look(all ? "show-all" : "host-containers");
        await expectNoSidewaysScroll(page, what);
        await expectNothingSticksOut(page, what);
        await expectRowActions(page, width);
      }
      await openTarballs(page, rows);
      await look("shared-tarballs");
      await expectNoSidewaysScroll(page, `Shared Tarballs at ${width} px`);
      await expectNothingSticksOut(page, `Shared Tarballs at ${width} px`);
      for (const file of rows.versionFiles) {
        await expectButtonsOnScreen(page, page.locator(`tr[data-file="${file}"]`).getByRole("button"), `${file} at ${width} px`, true);
      }
      await openRunners(page);
      await look("runners");
      await expectNoSidewaysScroll(page, `Runners at ${width} px`);
    });
  }
});

test.describe("toasts", () => {
  for (const width of [390, 1440]) {
    test(`at ${width} px a toast leaves the bottom row's buttons in view`, async ({ page, rows }) => {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      await login(page, rows);
      await openContainers(page, rows);
      const bottom = page.locator("tr[data-name]").last();
      await expect(bottom).toHaveAttribute("data-name", rows.names.paused);
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      await rowAction(bottom, "Resume");
      try {
        const toast = page.locator("[data-sonner-toast]").filter({ hasText: S(`Resumed ${rows.names.paused}`) });
        await expect(toast).toBeVisible();
        // The row's buttons (its More actions on phones) clear of the toast, once it has slid in.
        const toastHandle = await toast.elementHandle();
        const covered = () =>
          bottom.locator("button:visible").evaluateAll((buttons, toastEl) => {
            const t = (toastEl as Element).getBoundingClientRect();
            const under = buttons.filter((b) => {
              const r = b.getBoundingClientRect();
              return r.left < t.right && r.right > t.left && r.top < t.bottom && r.bottom > t.top;
            });
            return under.map((b) => b.textContent);
          }, toastHandle);
        await page.waitForTimeout(600);
        await expect.poll(covered, { message: "buttons under the toast", timeout: 2_000 }).toEqual([]);
        await page.screenshot({ path: `${SHOTS}/visual-toast-${width}.png` });
      } finally {
        await engine.getContainer(rows.names.paused).pause().catch(() => {});
      }
    });
  }
});
