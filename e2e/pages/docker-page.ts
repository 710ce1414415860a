import { expect, type Locator, type Page } from "@playwright/test";
import { E2E_TOKEN } from "../env";

/** The Docker view as a user sees it: selected by the seed's labels and accessible roles. */
export class DockerPage {
  constructor(readonly page: Page) {}

  async login(token = E2E_TOKEN) {
    await this.page.goto(`/login?token=${encodeURIComponent(token)}`);
    await expect(this.page).toHaveURL(/\/docker/);
  }

  async open(query = "") {
    await this.page.goto(`/docker${query}`);
  }

  tab(name: "Host Containers" | "Shared Tarballs"): Locator {
    return this.page.getByRole("tab", { name });
  }

  row(name: string): Locator {
    // By data-name: the row header's accessible name also carries the "managed" badge.
    return this.page.locator(`tr[data-name="${name}"]`);
  }

  status(name: string): Locator {
    return this.row(name).getByTestId("status-tag");
  }

  button(name: string, label: "Start" | "Stop" | "Create Tar" | "Shell" | "Delete"): Locator {
    return this.row(name).getByRole("button", { name: label, exact: true });
  }

  /** The Jobs notices (every running and finished job). */
  get jobs(): Locator {
    return this.page.getByRole("region", { name: "Jobs" });
  }

  /** One notice: "<what> of <target>", e.g. "Create Tar of my-env". */
  job(label: string): Locator {
    return this.jobs.getByRole("listitem", { name: label, exact: true });
  }

  get createDialog(): Locator {
    return this.page.getByRole("dialog", { name: "Create New Container" });
  }

  async fillCreateForm(image: string, name: string) {
    // A click that lands before hydration opens nothing; a person would click again.
    await expect(async () => {
      await this.page.getByRole("button", { name: "Create New Container" }).click();
      await expect(this.createDialog).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    await this.createDialog.getByLabel("Docker Image Name").fill(image);
    await this.createDialog.getByLabel("HakuRiver Container Name").fill(name);
  }

  async submitCreate() {
    await this.createDialog.getByRole("button", { name: "Create", exact: true }).click();
  }

  async deleteContainer(name: string) {
    await this.button(name, "Delete").click();
    const confirm = this.page.getByRole("dialog", { name: `Delete container ${name}?` });
    await expect(confirm).toContainText("Tarballs already made from it in shared storage are kept");
    await confirm.getByRole("button", { name: "Delete", exact: true }).click();
  }
}

/** The Shared Tarballs tab. */
export class TarballsTab {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto("/docker?tab=tarballs");
  }

  environment(name: string): Locator {
    return this.page.locator(`tr[data-env="${name}"]`);
  }

  async expand(name: string) {
    await expect(async () => {
      await this.page.getByRole("button", { name: `Expand ${name}` }).click({ timeout: 2_000 });
      await expect(this.versions(name)).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
  }

  versions(name: string): Locator {
    return this.page.getByRole("table", { name: `Versions of ${name}` });
  }

  version(file: string): Locator {
    return this.page.locator(`tr[data-file="${file}"]`);
  }

  async deleteVersion(file: string) {
    await this.version(file).getByRole("button", { name: `Delete ${file}` }).click();
    const confirm = this.page.getByRole("dialog", { name: `Delete ${file}?` });
    await confirm.getByRole("button", { name: "Delete", exact: true }).click();
  }
}

/** The Shell modal of one container. */
export class ShellModal {
  constructor(
    readonly page: Page,
    readonly container: string,
  ) {}

  get dialog(): Locator {
    return this.page.getByRole("dialog", { name: `Shell: ${this.container}` });
  }

  /** The visible rows' text (under WebGL the screen is a canvas; the terminal mirrors its text). */
  get screen(): Locator {
    return this.dialog.getByTestId("terminal-screen");
  }

  async open(docker: DockerPage) {
    await this.openWithoutWaiting(docker);
    await expect(this.dialog.getByRole("status").filter({ hasText: "Connected" })).toBeVisible();
  }

  /** Clicks Shell and waits only for the terminal to show: no prompt, no "Connected". */
  async openWithoutWaiting(docker: DockerPage) {
    await expect(async () => {
      await docker.button(this.container, "Shell").click({ timeout: 2_000 });
      await expect(this.dialog).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    await expect(this.dialog.getByTestId("terminal")).toBeVisible();
  }

  /** As people do: clicks into the terminal the moment it shows and types at 20 ms a key. */
  async openAndType(docker: DockerPage, text: string) {
    await this.openWithoutWaiting(docker);
    await this.dialog.getByTestId("terminal").click();
    await this.page.keyboard.type(text, { delay: 20 });
  }

  async type(text: string) {
    await this.dialog.getByTestId("terminal").click();
    await this.page.keyboard.type(text);
    await this.page.keyboard.press("Enter");
  }

  /** Pastes as a browser does: a paste event carrying the text, into xterm's input. */
  async paste(text: string) {
    await this.dialog.locator(".xterm-helper-textarea").evaluate((el, value) => {
      const data = new DataTransfer();
      data.setData("text/plain", value);
      el.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    }, text);
  }
}

/**
 * Records the text of every element matching `selector` each time the page changes, so a test can
 * check what was shown during something faster than its polling (a pull, a progress bar).
 */
export async function recordTexts(page: Page, selector: string): Promise<() => Promise<string[]>> {
  await page.evaluate((sel) => {
    const seen: string[] = [];
    (window as unknown as { recorded: string[] }).recorded = seen;
    new MutationObserver(() => document.querySelectorAll(sel).forEach((el) => seen.push(el.textContent ?? ""))).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  }, selector);
  return () => page.evaluate(() => (window as unknown as { recorded: string[] }).recorded);
}
