import fs from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { E2E_CONTAINER_DIR } from "./env";
import { DockerPage, ShellModal, TarballsTab } from "./pages/docker-page";
import { removeContainer, runEnvironmentContainer, uniqueName } from "../tests/helpers/docker";

/**
 * axe-core on every screen, in the light and the dark theme (the system setting, emulated): no
 * serious or critical violation on the login page, the three tabs, each modal and the terminal.
 */
const name = uniqueName("axe");
const file = `${name}-1700000000.tar`;

test.beforeAll(async () => {
  await runEnvironmentContainer(name);
  fs.mkdirSync(E2E_CONTAINER_DIR, { recursive: true });
  fs.writeFileSync(path.join(E2E_CONTAINER_DIR, file), "a version");
});

test.afterAll(async () => {
  await removeContainer(name);
  fs.rmSync(path.join(E2E_CONTAINER_DIR, file), { force: true });
});

const SHOTS = process.env.HAKURIVER_SCREENS_DIR ?? "test-results/screens";

async function expectAxeClean(page: Page, screen: string) {
  const theme = await page.evaluate(() => (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"));
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/axe-${screen.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${theme}.png` });
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const report = bad.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 3).map((n) => `${n.target.join(" ")} — ${n.failureSummary}`).join("\n  ")}`);
  expect(report, `${screen}: serious or critical accessibility violations`).toEqual([]);
  // Contrast really was measured (axe files colours it cannot read under "incomplete", not as violations).
  const contrast = results.passes.find((r) => r.id === "color-contrast")?.nodes.length ?? 0;
  const unsure = results.incomplete.find((r) => r.id === "color-contrast")?.nodes ?? [];
  expect(contrast, `${screen}: color-contrast checked nothing`).toBeGreaterThan(0);
  console.log(`${screen}: contrast checked on ${contrast} elements, ${unsure.length} undecided (${unsure.slice(0, 3).map((n) => n.target.join(" ")).join(", ")})`);
}

/** The focus ring of the focused element: its width and its contrast against the page behind it. */
async function focusRing(page: Page): Promise<{ width: number; contrast: number; what: string }> {
  return page.evaluate(() => {
    const rgb = (color: string) => {
      // Any CSS colour (oklch included) to sRGB bytes, through a canvas.
      const ctx = document.createElement("canvas").getContext("2d")!;
      ctx.fillStyle = color;
      ctx.fillRect(0, 0, 1, 1);
      return [...ctx.getImageData(0, 0, 1, 1).data.slice(0, 3)];
    };
    const luminance = (c: number[]) => {
      const [r, g, b] = c.map((v) => {
        const s = v / 255;
        return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const el = document.activeElement as HTMLElement;
    const style = getComputedStyle(el);
    let bgEl: HTMLElement | null = el.parentElement;
    while (bgEl && getComputedStyle(bgEl).backgroundColor === "rgba(0, 0, 0, 0)") bgEl = bgEl.parentElement;
    const behind = getComputedStyle(bgEl ?? document.body).backgroundColor;
    const [a, b] = [luminance(rgb(style.outlineColor)), luminance(rgb(behind))];
    return {
      width: parseFloat(style.outlineWidth),
      contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
      what: `${el.tagName} "${el.textContent?.slice(0, 30)}": ${style.outlineStyle} ${style.outlineColor} on ${behind}`,
    };
  });
}

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`${colorScheme} theme`, () => {
    test.use({ colorScheme });

    test(`every screen has no serious or critical axe violations (${colorScheme})`, async ({ page }) => {
      await page.goto("/login");
      await expect(page.getByRole("button", { name: "Log in" })).toBeVisible();
      await expectAxeClean(page, "Log in");

      const docker = new DockerPage(page);
      await docker.login();
      await docker.open(`?q=${name}`);
      await expect(docker.row(name)).toBeVisible();
      await expect(page.locator("[data-live=on]")).toBeVisible();
      await expectAxeClean(page, "Host Containers");

      // The keyboard focus ring: at least 2 px and 3:1 against what is behind it.
      const create = page.getByRole("button", { name: "Create New Container" });
      for (let i = 0; i < 40 && !(await create.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
      // Buttons fade their colours (outline included) over 150 ms: measure the ring once it has settled.
      await page.waitForTimeout(400);
      const ring = await focusRing(page);
      expect(ring.width).toBeGreaterThanOrEqual(2);
      expect(ring.contrast, `focus ring contrast ${ring.contrast.toFixed(2)}:1 (${ring.what})`).toBeGreaterThanOrEqual(3);

      await docker.fillCreateForm("hakuriver-test/busybox:latest", "");
      await expectAxeClean(page, "Create New Container");
      await docker.createDialog.getByRole("button", { name: "Cancel" }).click();
      await expect(docker.createDialog).toBeHidden();

      await docker.button(name, "Delete").click();
      const confirm = page.getByRole("dialog", { name: `Delete container ${name}?` });
      await expect(confirm).toBeVisible();
      await expectAxeClean(page, "Delete container confirm");
      await confirm.getByRole("button", { name: "Cancel" }).click();

      const shell = new ShellModal(page, name);
      await shell.open(docker);
      await expectAxeClean(page, "Shell");
      await shell.dialog.getByRole("button", { name: "Close shell" }).click();
      await expect(shell.dialog).toBeHidden();

      // The row's actions menu, as a phone shows it.
      await page.setViewportSize({ width: 390, height: 844 });
      await docker.row(name).getByRole("button", { name: "More actions" }).click();
      await expect(docker.row(name).getByRole("group", { name: `Actions for ${name}` })).toBeVisible();
      await expectAxeClean(page, "Actions menu (390 px)");
      await page.keyboard.press("Escape");
      await page.setViewportSize({ width: 1280, height: 720 });

      const tarballs = new TarballsTab(page);
      await docker.tab("Shared Tarballs").click();
      await expect(tarballs.environment(name)).toBeVisible();
      await tarballs.expand(name);
      await expectAxeClean(page, "Shared Tarballs");
      await tarballs.version(file).getByRole("button", { name: `Delete ${file}` }).click();
      const versionConfirm = page.getByRole("dialog", { name: `Delete ${file}?` });
      await expect(versionConfirm).toBeVisible();
      await expectAxeClean(page, "Delete version confirm");
      await versionConfirm.getByRole("button", { name: "Cancel" }).click();

      await page.getByRole("tab", { name: "Runners" }).click();
      await expect(page.getByRole("tab", { name: "Runners" })).toHaveAttribute("aria-selected", "true");
      await expectAxeClean(page, "Runners");
    });
  });
}
