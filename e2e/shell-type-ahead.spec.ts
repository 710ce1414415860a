import { expect, test as base, type Page } from "@playwright/test";
import { DockerPage, ShellModal } from "./pages/docker-page";
import { PORT } from "./env";
import { removeContainer, runEnvironmentContainer, uniqueName } from "../tests/helpers/docker";
import { startDelayProxy } from "../tests/helpers/delay-proxy";

/**
 * What people do: click Shell and type at once — no wait for a prompt — over a connection with
 * latency (a VPN: 200 ms round trips, through a delaying proxy on loopback that holds every chunk
 * 100 ms each way, WebSocket frames included). Every key and paste made before the shell is
 * attached reaches it, whole and in order.
 */
let name: string;
let proxy: Awaited<ReturnType<typeof startDelayProxy>>;

/** Every test's page is served through the proxy. */
const test = base.extend<{ page: Page }>({
  page: async ({ browser }, provide) => {
    const context = await browser.newContext({ baseURL: `http://127.0.0.1:${proxy.port}` });
    await provide(await context.newPage());
    await context.close();
  },
});

test.beforeAll(async () => {
  name = uniqueName("ta");
  await runEnvironmentContainer(name);
  proxy = await startDelayProxy(PORT, 100);
});

test.afterAll(async () => {
  await proxy?.close();
  await removeContainer(name);
});

async function slowPage(page: Page): Promise<DockerPage> {
  const docker = new DockerPage(page);
  await docker.login();
  return docker;
}

/** Every line the terminal holds, scrollback included. */
function terminalLines(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const host = document.querySelector('[data-testid="terminal"]') as HTMLElement & {
      terminal: { buffer: { active: { length: number; getLine(y: number): { translateToString(trim: boolean): string } | undefined } } };
    };
    const b = host.terminal.buffer.active;
    return Array.from({ length: b.length }, (_, y) => b.getLine(y)?.translateToString(true) ?? "");
  });
}

test("Shell, then typing at once at 20 ms a key over 200 ms latency: the whole command runs", async ({ page }) => {
  const docker = await slowPage(page);
  const shell = new ShellModal(page, name);
  await shell.openAndType(docker, "echo hi-$((6*7))\n");
  await expect(shell.screen).toContainText("hi-42");
  expect(await terminalLines(page), "no cut command was run").not.toContainEqual(expect.stringMatching(/not found/));
  // The status line names the shell chosen and its user; nothing offers to reconnect a live shell.
  await expect(shell.dialog.getByRole("status")).toHaveText(/Connected: sh as root\./);
  await expect(shell.dialog.getByRole("button", { name: "Reconnect" })).toHaveCount(0);
  await shell.dialog.getByRole("button", { name: "Close shell" }).click();
});

test("a paste of 200 lines right after opening: all 200 run, in order", async ({ page }) => {
  const docker = await slowPage(page);
  const shell = new ShellModal(page, name);
  await shell.openWithoutWaiting(docker);
  const lines = Array.from({ length: 200 }, (_, i) => `echo p-$((${i + 1}+1000))`);
  await shell.paste(lines.join("\n") + "\n");
  await expect(shell.screen).toContainText("p-1200", { timeout: 30_000 });
  const outputs = (await terminalLines(page)).filter((l) => /^p-\d+$/.test(l)).map((l) => Number(l.slice(2)));
  expect(outputs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1001));
  await shell.dialog.getByRole("button", { name: "Close shell" }).click();
});

test("after a reload the shell resumes by itself, and keys typed at once reach it", async ({ page }) => {
  const docker = new DockerPage(page);
  await docker.login();
  const shell = new ShellModal(page, name);
  await shell.open(docker);
  await shell.type("MARK=before-reload; echo set-$((1+1))");
  await expect(shell.screen).toContainText("set-2");
  await page.reload();
  await expect(shell.dialog.getByTestId("terminal")).toBeVisible();
  await shell.dialog.getByTestId("terminal").click();
  await page.keyboard.type("echo $MARK-$((6*7))\n", { delay: 20 });
  await expect(shell.screen).toContainText("before-reload-42");
  await expect(shell.dialog.getByRole("status")).toContainText(/Resumed the session started \d\d:\d\d: sh as root/);
  await shell.dialog.getByRole("button", { name: "Close shell" }).click();
});

test("in another tab, choosing Resume and typing at once: the keys reach the resumed shell", async ({ page }) => {
  const context = page.context();
  const docker = new DockerPage(page);
  await docker.login();
  const first = new ShellModal(page, name);
  await first.open(docker);
  await first.type("MARK=first-tab; echo set-$((1+1))");
  await expect(first.screen).toContainText("set-2");
  await page.close();

  const other = await context.newPage();
  const otherDocker = new DockerPage(other);
  await otherDocker.open();
  const shell = new ShellModal(other, name);
  await shell.openWithoutWaiting(otherDocker);
  const offer = shell.dialog.getByRole("group", { name: "Resume a shell" });
  const resume = offer.getByRole("button", { name: /^Resume session started \d\d:\d\d/ }).first();
  const label = await resume.textContent();
  await resume.click();
  await other.keyboard.type("echo $MARK-$((6*7))\n", { delay: 20 });
  await expect(shell.screen).toContainText("first-tab-42");
  expect(label, "the offer names the shell and its user").toMatch(/\(sh as root\)/);
  await expect(offer).toBeHidden();
  await shell.dialog.getByRole("button", { name: "Close shell" }).click();
});

test("while the connection is down the terminal says input is paused and takes no keys; back, the same shell resumes", async ({ browser }) => {
  let cut = await startDelayProxy(PORT, 5);
  const context = await browser.newContext({ baseURL: `http://127.0.0.1:${cut.port}` });
  const page = await context.newPage();
  try {
    const docker = new DockerPage(page);
    await docker.login();
    const shell = new ShellModal(page, name);
    await shell.open(docker);
    await shell.type("MARK=kept; echo set-$((1+1))");
    await expect(shell.screen).toContainText("set-2");

    await cut.close(); // the network goes away
    await expect(shell.dialog.getByRole("status")).toContainText("Input is paused");
    await expect(shell.screen).toContainText("input is paused until it is back");
    await page.keyboard.type("lost-keys");
    expect(await page.evaluate(() => (document.querySelector('[data-testid="terminal"]') as HTMLElement & { terminal: { options: { disableStdin: boolean } } }).terminal.options.disableStdin)).toBe(true);

    cut = await startDelayProxy(PORT, 5, cut.port); // and comes back
    await expect(shell.dialog.getByRole("status")).toContainText(/Resumed the session started/);
    await page.keyboard.type("echo $MARK-$((6*7))\n", { delay: 20 });
    await expect(shell.screen).toContainText("kept-42");
    expect(await terminalLines(page), "nothing typed while down reached the shell").not.toContainEqual(expect.stringContaining("lost-keys"));
    await shell.dialog.getByRole("button", { name: "Close shell" }).click();
  } finally {
    await context.close();
    await cut.close();
  }
});
