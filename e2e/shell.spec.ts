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
