import type { Duplex } from "node:stream";
import { chromium } from "@playwright/test";
import { io as connect, type Socket } from "socket.io-client";
import type { BenchContext } from "../run";
import { median, now, percentile, watchLongTasks } from "../lib";
import { engine } from "../../tests/helpers/docker";

const line = "0123456789abcdef";

/** Raw floor: a TTY exec attached directly, counting bytes until it ends. */
async function rawTty(container: string, bytes: number): Promise<number> {
  const exec = await engine.getContainer(container).exec({
    Cmd: ["sh", "-c", `yes ${line} | head -c ${bytes}`],
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: true,
    Tty: true,
  });
  const t = now();
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as Duplex;
  let got = 0;
  await new Promise<void>((resolve) => {
    stream.on("data", (c: Buffer) => (got += c.length));
    stream.on("end", () => resolve());
    stream.on("close", () => resolve());
  });
  if (got < bytes) throw new Error(`raw TTY delivered ${got} of ${bytes}`);
  return now() - t;
}

function terminalSocket(ctx: BenchContext): Promise<Socket> {
  const socket = connect(`${ctx.server.url}/terminal`, { transports: ["websocket"], extraHeaders: ctx.server.bearer, reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.on("connect", () => resolve(socket));
    socket.on("connect_error", reject);
  });
}

/** The shell path: Socket.IO client, acknowledging each chunk like xterm does once rendered. */
async function throughSocket(ctx: BenchContext, bytes: number): Promise<number> {
  const socket = await terminalSocket(ctx);
  let got = 0;
  socket.on("output", (c: ArrayBuffer) => {
    got += c.byteLength;
    socket.emit("ack", c.byteLength);
  });
  const exited = new Promise<void>((resolve) => socket.on("exit", () => resolve()));
  const t = now();
  const ack = await socket.emitWithAck("open", { container: ctx.container, cols: 120, rows: 40, command: `sh -c "yes ${line} | head -c ${bytes}"` });
  if (!ack.ok) throw new Error(ack.error);
  await exited;
  const elapsed = now() - t;
  socket.disconnect();
  if (got < bytes) throw new Error(`socket delivered ${got} of ${bytes}`);
  return elapsed;
}

/** Key echo: one character out, time until it comes back. */
async function keyEcho(ctx: BenchContext, keys: number): Promise<number[]> {
  const socket = await terminalSocket(ctx);
  let resolveNext: (() => void) | undefined;
  socket.on("output", (c: ArrayBuffer) => {
    socket.emit("ack", c.byteLength);
    resolveNext?.();
  });
  const ack = await socket.emitWithAck("open", { container: ctx.container, cols: 120, rows: 40 });
  if (!ack.ok) throw new Error(ack.error);
  await new Promise((r) => setTimeout(r, 500)); // the prompt
  const times: number[] = [];
  for (let i = 0; i < keys; i++) {
    const echoed = new Promise<void>((resolve) => (resolveNext = resolve));
    const t = now();
    socket.emit("input", "x");
    await echoed;
    times.push(now() - t);
    if (i % 50 === 49) {
      socket.emit("input", "\u0015"); // Ctrl-U: clear the line
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  socket.disconnect();
  return times;
}

/** The same output through Chromium's xterm, until the last line is rendered; longest task while it renders. */
async function throughBrowser(ctx: BenchContext, bytes: number): Promise<{ ms: number; longestTask: number }> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${ctx.server.url}/login?token=${ctx.server.token}`);
    await page.waitForURL(/\/docker/);
    const tasks = await watchLongTasks(page);
    const row = page.locator(`tr[data-name="${ctx.container}"]`);
    const dialog = page.getByRole("dialog", { name: `Shell: ${ctx.container}` });
    for (let i = 0; i < 30 && !(await dialog.isVisible()); i++) {
      await row.getByRole("button", { name: "Shell", exact: true }).click();
      await page.waitForTimeout(300);
    }
    await dialog.getByRole("status").filter({ hasText: "Connected" }).waitFor();
    await page.waitForTimeout(300);
    await dialog.getByTestId("terminal").click();
    await page.keyboard.type(`yes ${line} | head -c ${bytes}; echo; echo END-$((40+2))`);
    await tasks.reset();
    const t = now();
    await page.keyboard.press("Enter");
    await dialog.getByTestId("terminal").locator(".xterm-rows").getByText("END-42").waitFor({ timeout: 10 * 60_000 });
    const ms = now() - t;
    const longestTask = await tasks.longest();
    return { ms, longestTask };
  } finally {
    await browser.close();
  }
}

export async function benchTerminal(ctx: BenchContext): Promise<void> {
  const bytes = (ctx.quick ? 8 : 64) * 1024 * 1024;
  const rounds = ctx.quick ? 1 : 3;
  const label = `${bytes / 1024 / 1024} MiB`;
  const raw: number[] = [];
  const sock: number[] = [];
  await rawTty(ctx.container, 1024 * 1024); // warm-up
  for (let i = 0; i < rounds; i++) {
    raw.push(await rawTty(ctx.container, bytes));
    sock.push(await throughSocket(ctx, bytes));
  }
  const mbps = (ms: number) => bytes / 1e6 / (ms / 1000);
  const rawRate = mbps(median(raw));
  const sockRate = mbps(median(sock));
  ctx.add({ section: "terminal", measure: `raw TTY exec attach, ${label}`, value: rawRate, unit: "MB/s" });
  ctx.add({ section: "terminal", measure: `Socket.IO shell path, ${label}`, value: sockRate, unit: "MB/s", floor: rawRate, ratio: sockRate / rawRate, target: "≥ 0.8×", met: sockRate / rawRate >= 0.8 });

  const echoes = await keyEcho(ctx, 200);
  ctx.add({ section: "terminal", measure: "key echo p50 (200 keys)", value: percentile(echoes, 50), unit: "ms", target: "≤ 5 ms", met: percentile(echoes, 50) <= 5 });
  ctx.add({ section: "terminal", measure: "key echo p99 (200 keys)", value: percentile(echoes, 99), unit: "ms" });

  const browserBytes = (ctx.quick ? 4 : 64) * 1024 * 1024;
  const inBrowser = await throughBrowser(ctx, browserBytes);
  const browserRate = browserBytes / 1e6 / (inBrowser.ms / 1000);
  ctx.add({ section: "terminal", measure: `Chromium xterm until rendered, ${browserBytes / 1024 / 1024} MiB`, value: browserRate, unit: "MB/s", floor: rawRate, ratio: browserRate / rawRate });
  ctx.add({ section: "terminal", measure: "longest task while rendering", value: inBrowser.longestTask, unit: "ms", target: "≤ 200 ms", met: inBrowser.longestTask <= 200 });
}
