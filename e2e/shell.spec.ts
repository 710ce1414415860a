import { expect, test } from "@playwright/test";
import { DockerPage, ShellModal } from "./pages/docker-page";
import { engine, removeContainer, runEnvironmentContainer, uniqueName } from "../tests/helpers/docker";

let name: string;

test.beforeAll(async () => {
  name = uniqueName("sh");
  await runEnvironmentContainer(name);
});

test.afterAll(async () => {
  await removeContainer(name);
});

const processes = async () => JSON.stringify((await engine.getContainer(name).top()).Processes);

test("Shell runs commands, takes multi-line paste, renders UTF-8 split across chunks, and exit ends the session", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  const docker = new DockerPage(page);
  await docker.login();
  const shell = new ShellModal(page, name);
  await shell.open(docker);

  await shell.type("echo hi-$((6*7))");
  await expect(shell.screen).toContainText("hi-42");

  await shell.paste("echo line-$((1+1))\necho line-$((1+2))\n");
  await expect(shell.screen).toContainText("line-2");
  await expect(shell.screen).toContainText("line-3");

  // 中 and 😀 split across separate writes (odd-sized chunks on the wire).
  await shell.type("printf '\\344\\270'; sleep 0.3; printf '\\255\\346\\226\\207 \\360\\237'; sleep 0.3; printf '\\230\\200\\n'");
  await expect(shell.screen).toContainText("中文 😀");

  await shell.type("stty size");
  await expect(shell.screen).toContainText(/\d{2,3} \d{2,3}/);

  await shell.type("exit");
  const ended = shell.dialog.getByRole("alert");
  await expect(ended).toContainText("The shell ended. Exit code 0.");
  await expect(ended.getByRole("button", { name: "Reconnect" })).toBeVisible();
  await ended.getByRole("button", { name: "Close" }).click();
  await expect(shell.dialog).toBeHidden();
  expect(violations, "the CSP lets the page and xterm work").toEqual([]);
});

test("closing the Shell modal leaves no shell running in the container", async ({ page }) => {
  const docker = new DockerPage(page);
  await docker.login();
  const shell = new ShellModal(page, name);
  await shell.open(docker);
  await shell.type("sleep 4321 & echo bg-$((40+2))");
  await expect(shell.screen).toContainText("bg-42");
  expect(await processes()).toContain("sleep 4321");

  // Escape goes to the terminal, not the modal.
  await page.keyboard.press("Escape");
  await expect(shell.dialog).toBeVisible();
  await shell.dialog.getByRole("button", { name: "Close shell" }).click();
  await expect(shell.dialog).toBeHidden();
  await expect.poll(processes, { timeout: 5_000 }).not.toContain("sleep 4321");
});

/** The numbers the count printed, top to bottom, as the screen shows them. */
async function countedLines(shell: ShellModal): Promise<number[]> {
  const text = (await shell.screen.textContent()) ?? "";
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
}

test("a reload in the middle of a count resumes the same shell, and the count goes on", async ({ page }) => {
  const docker = new DockerPage(page);
  await docker.login();
  const shell = new ShellModal(page, name);
  await shell.open(docker);
  await shell.type("for i in $(seq 30); do echo $i; sleep 1; done");
  await expect.poll(async () => Math.max(0, ...(await countedLines(shell))), { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
  const before = Math.max(...(await countedLines(shell)));

  await page.reload();
  // The modal comes back by itself and resumes: the replay shows the count so far, and it goes on.
  await expect(shell.dialog.getByRole("status")).toContainText(/Resumed the session started \d\d:\d\d/, { timeout: 15_000 });
  await expect.poll(async () => Math.max(0, ...(await countedLines(shell))), { timeout: 15_000 }).toBeGreaterThanOrEqual(before + 3);
  const seen = await countedLines(shell);
  expect(seen.slice(seen.indexOf(1)), "one count, never restarted, no number lost").toEqual(seen.slice(seen.indexOf(1)).map((_, i) => i + 1));

  await shell.dialog.getByRole("button", { name: "Close shell" }).click();
  await expect(shell.dialog).toBeHidden();
  await expect.poll(processes, { timeout: 5_000 }).not.toMatch(/sleep 1\b/);
});

test("the keyboard way out: Ctrl+Shift+L moves focus to Close shell, and focus returns to the Shell button", async ({ page }) => {
  const docker = new DockerPage(page);
  await docker.login();
  const shell = new ShellModal(page, name);
  await shell.open(docker);
  await expect(shell.dialog).toContainText("Ctrl+Shift+L");
  await shell.type("sleep 4322 & echo bg-$((40+3))");
  await expect(shell.screen).toContainText("bg-43");

  // Tab and Escape stay in the terminal.
  await page.keyboard.press("Tab");
  await page.keyboard.press("Escape");
  await expect(shell.dialog).toBeVisible();
  await expect(shell.dialog.locator(".xterm-helper-textarea")).toBeFocused();

  await page.keyboard.press("Control+Shift+L");
  const close = shell.dialog.getByRole("button", { name: "Close shell" });
  await expect(close).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(shell.dialog).toBeHidden();
  await expect(docker.button(name, "Shell")).toBeFocused();
  await expect.poll(processes, { timeout: 5_000 }).not.toContain("sleep 4322");
});

test("a flood's lines that would scroll out unseen are dropped, and the scrollback still holds exactly the last lines", async ({ page }) => {
  const docker = new DockerPage(page);
  await docker.login();
  const shell = new ShellModal(page, name);
  await shell.open(docker);
  // 600,000 numbered lines (4.7 MB at the terminal): far more than the page parses while `cat` sends them.
  await shell.type("seq 1 600000 > /tmp/seq.txt; cat /tmp/seq.txt; echo SEQ-$((6*7))");
  await expect(shell.screen).toContainText("SEQ-42", { timeout: 60_000 });
  const seen = await page.evaluate(() => {
    const host = document.querySelector('[data-testid="terminal"]') as HTMLElement & {
      terminal: { buffer: { active: { length: number; getLine(y: number): { translateToString(trim: boolean): string } | undefined } }; options: { scrollback: number } };
      writer: { received: number; dropped: number };
    };
    const b = host.terminal.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < b.length; y++) lines.push(b.getLine(y)?.translateToString(true) ?? "");
    return { lines, scrollback: host.terminal.options.scrollback, received: host.writer.received, dropped: host.writer.dropped };
  });
  // The terminal holds its scrollback and screen of consecutive numbers ending at 600000: nothing it
  // should show was dropped, nothing shown twice.
  const numbers = seen.lines.filter((l) => /^\d+$/.test(l)).map(Number);
  expect(numbers.at(-1)).toBe(600000);
  expect(numbers.length).toBeGreaterThan(seen.scrollback - 10);
  numbers.forEach((n, i) => expect(n, `line ${i}`).toBe(600000 - numbers.length + 1 + i));
  // And most of it never reached the page's parser (dropped on the server or in the page).
  const bytes = Array.from({ length: 600000 }, (_, i) => String(i + 1).length + 2).reduce((a, b) => a + b, 0);
  console.log(`# page parsed ${seen.received - seen.dropped} of ${bytes} bytes`);
  expect(seen.received - seen.dropped).toBeLessThan(bytes / 2);
  await shell.dialog.getByRole("button", { name: "Close shell" }).click();
});

test("selecting output with the mouse highlights it, and a click clears it (xterm-patches keeps selection redraws)", async ({ page }) => {
  const docker = new DockerPage(page);
  await docker.login();
  const shell = new ShellModal(page, name);
  await shell.open(docker);
  await shell.type("for i in $(seq 40); do echo select-me-$i; done");
  await expect(shell.screen).toContainText("select-me-40");
  const screen = shell.dialog.locator(".xterm-screen");
  const box = (await screen.boundingBox())!;
  const highlighted = () => shell.dialog.locator(".xterm-selection div").count();
  const selection = () => page.evaluate(() => (document.querySelector('[data-testid="terminal"]') as HTMLElement & { terminal: { getSelection(): string } }).terminal.getSelection());
  await page.mouse.move(box.x + 10, box.y + 20);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect.poll(selection).toContain("select-me-");
  await expect.poll(highlighted).toBeGreaterThan(0);
  // Output that scrolls keeps the highlight on the text it covers; a click clears it.
  await page.mouse.click(box.x + box.width / 2, box.y + box.height - 10);
  await expect.poll(selection).toBe("");
  await expect.poll(highlighted).toBe(0);
  await shell.dialog.getByRole("button", { name: "Close shell" }).click();
});

test("a flood of output followed by Ctrl-C leaves a usable prompt", async ({ page }) => {
  const docker = new DockerPage(page);
  await docker.login();
  const shell = new ShellModal(page, name);
  await shell.open(docker);
  await shell.type("yes flood-flood-flood-flood");
  await expect(shell.screen).toContainText("flood-flood");
  await page.waitForTimeout(1500);
  const pressed = Date.now();
  await page.keyboard.press("Control+C");
  await shell.type("echo after-$((6*7))");
  await expect(shell.screen).toContainText("after-42", { timeout: 10_000 });
  console.log(`# prompt usable ${Date.now() - pressed} ms after Ctrl-C`);
  await expect.poll(processes, { timeout: 5_000 }).not.toMatch(/\byes\b/);
  await shell.dialog.getByRole("button", { name: "Close shell" }).click();
});
