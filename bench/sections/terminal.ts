import type { Duplex } from "node:stream";
import { chromium, type Browser, type Page } from "@playwright/test";
import { io as connect, type Socket } from "socket.io-client";
import type { BenchContext } from "../run";
import { median, now, percentile, watchLongTasks } from "../lib";
import { engine, execIn } from "../../tests/helpers/docker";
import { splitCpus } from "../cpus";

const line = "0123456789abcdef";
/** The text file `cat` floods with: 80-byte lines, as build and install logs have. */
const FLOOD_FILE = "/tmp/bench-flood.txt";
const FLOOD_LINE = "the quick brown fox jumps over the lazy dog, 0123456789, installing package-0.1";

/** Raw floor: a TTY exec attached directly, counting bytes until it ends. */
async function rawTty(container: string, cmd: string, bytes: number): Promise<number> {
  const exec = await engine.getContainer(container).exec({
    Cmd: ["sh", "-c", cmd],
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
async function throughSocket(ctx: BenchContext, bytes: number, command = `sh -c "yes ${line} | head -c ${bytes}"`): Promise<number> {
  const socket = await terminalSocket(ctx);
  let got = 0;
  socket.on("output", (c: ArrayBuffer) => {
    got += c.byteLength;
    socket.emit("ack", c.byteLength);
  });
  const exited = new Promise<void>((resolve) => socket.on("exit", () => resolve()));
  const t = now();
  const ack = await socket.emitWithAck("open", { container: ctx.container, cols: 120, rows: 40, command });
  if (!ack.ok) throw new Error(ack.error);
  await exited;
  const elapsed = now() - t;
  socket.disconnect();
  if (got < bytes) throw new Error(`socket delivered ${got} of ${bytes}`);
  return elapsed;
}

/** Close shell, then disconnect once the server has it (sent together, the close could be dropped). */
async function closeShell(socket: Socket): Promise<void> {
  await socket.timeout(5000).emitWithAck("close-shell", null).catch(() => {});
  socket.disconnect();
}

/** An interactive shell over a socket that acknowledges everything it gets; `onOutput` sees each chunk. */
async function openShell(ctx: BenchContext, onOutput: (c: ArrayBuffer) => void = () => {}): Promise<Socket> {
  const socket = await terminalSocket(ctx);
  socket.on("output", (c: ArrayBuffer) => {
    socket.emit("ack", c.byteLength);
    onOutput(c);
  });
  const ack = await socket.emitWithAck("open", { container: ctx.container, cols: 120, rows: 40 });
  if (!ack.ok) throw new Error(ack.error);
  await new Promise((r) => setTimeout(r, 500)); // the prompt
  return socket;
}

/** Key echo: one character out, time until it comes back. */
async function keyEcho(ctx: BenchContext, keys: number): Promise<number[]> {
  let resolveNext: (() => void) | undefined;
  const socket = await openShell(ctx, () => resolveNext?.());
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
  await closeShell(socket);
  return times;
}

/** Key echo in one shell while another shell floods (`yes`) through the same server. */
async function keyEchoUnderFlood(ctx: BenchContext, keys: number): Promise<{ echoes: number[]; flooded: number }> {
  let flooded = 0;
  const flood = await openShell(ctx, (c) => (flooded += c.byteLength));
  flood.emit("input", `yes ${line}\n`);
  await new Promise((r) => setTimeout(r, 1000));
  const before = flooded;
  const echoes = await keyEcho(ctx, keys);
  const during = flooded - before;
  flood.emit("input", "\u0003");
  await closeShell(flood);
  return { echoes, flooded: during };
}

interface ShellPage {
  page: Page;
  /** Runs in the page with the shell's xterm Terminal. */
  term: <T>(fn: string) => Promise<T>;
  type: (text: string) => Promise<void>;
  /** Close shell (ends it at once: a closed page would leave it waiting for a resume), then the page. */
  close: () => Promise<void>;
}

/** A logged-in page with the container's Shell modal open and connected. */
async function shellPage(ctx: BenchContext, browser: Browser): Promise<ShellPage> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${ctx.server.url}/login?token=${ctx.server.token}`);
  await page.waitForURL(/\/docker/);
  const row = page.locator(`tr[data-name="${ctx.container}"]`);
  const dialog = page.getByRole("dialog", { name: `Shell: ${ctx.container}` });
  for (let i = 0; i < 30 && !(await dialog.isVisible()); i++) {
    await row.getByRole("button", { name: "Shell", exact: true }).click();
    await page.waitForTimeout(300);
  }
  await dialog.getByRole("status").filter({ hasText: "Connected" }).waitFor();
  await page.waitForTimeout(300);
  await dialog.getByTestId("terminal").click();
  return {
    page,
    // The terminal host carries its xterm Terminal (components/terminal/terminal-view.tsx).
    term: (fn) => page.evaluate(`(() => { const term = document.querySelector('[data-testid="terminal"]').terminal; return (${fn})(term); })()`),
    type: (text) => page.keyboard.type(text),
    close: async () => {
      await dialog.getByRole("button", { name: "Close shell" }).click().catch(() => {});
      await page.waitForTimeout(200);
      await page.close();
    },
  };
}

/** `cat` of the flood file in Chromium's xterm: Enter to the frame that shows the marker after it, and the longest task. */
async function catInBrowser(ctx: BenchContext, browser: Browser, ttyBytes: number): Promise<{ ms: number; longestTask: number; frameGap: number; renderer: string; dropped: number }> {
  const sh = await shellPage(ctx, browser);
  try {
    const tasks = await watchLongTasks(sh.page);
    await sh.type(`cat ${FLOOD_FILE}; echo END-$((40+2))`);
    await sh.term(`(term) => {
      window.benchDone = new Promise((resolve) => {
        const d = term.onRender(() => {
          const b = term.buffer.active;
          for (let y = b.viewportY; y < b.viewportY + term.rows; y++) {
            if (b.getLine(y)?.translateToString(true) === "END-42") { d.dispose(); return resolve(performance.now()); }
          }
        });
      });
    }`);
    await tasks.reset();
    // The longest gap between animation frames: how long the page went without a new frame.
    await sh.page.evaluate(`(() => {
      window.benchGap = 0;
      window.benchStop = false;
      let last = performance.now();
      const frame = (t) => {
        window.benchGap = Math.max(window.benchGap, t - last);
        last = t;
        if (!window.benchStop) requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    })()`);
    const t = await sh.page.evaluate(() => performance.now());
    await sh.page.keyboard.press("Enter");
    const done = await sh.page.evaluate(() =>
      Promise.race([(window as unknown as { benchDone: Promise<number> }).benchDone, new Promise<number>((_, reject) => setTimeout(() => reject(new Error("END-42 was never rendered")), 10 * 60_000))]),
    );
    const renderer = await sh.page.getByTestId("terminal").getAttribute("data-renderer");
    const frameGap = await sh.page.evaluate(() => {
      const w = window as unknown as { benchGap: number; benchStop: boolean };
      w.benchStop = true;
      return w.benchGap;
    });
    // What the page parsed of it: the rest was dropped unseen, by the server before sending or by the page.
    const dropped = ttyBytes - Number(await sh.page.evaluate(`(() => { const w = document.querySelector('[data-testid="terminal"]').writer; return w ? w.received - w.dropped : 0; })()`));
    return { ms: done - t, longestTask: await tasks.longest(), frameGap, renderer: renderer ?? "?", dropped };
  } finally {
    await sh.close();
  }
}

/** Ctrl-C during `yes` in Chromium: from the key to the last output xterm takes in (p50 over `rounds`). */
async function ctrlCInBrowser(ctx: BenchContext, browser: Browser, rounds: number): Promise<number[]> {
  const sh = await shellPage(ctx, browser);
  const times: number[] = [];
  try {
    await sh.term(`(term) => {
      window.benchLastWrite = 0;
      term.onWriteParsed(() => (window.benchLastWrite = performance.now()));
      window.addEventListener("keydown", (e) => { if (e.ctrlKey && e.key.toLowerCase() === "c") window.benchCtrlC = performance.now(); }, true);
    }`);
    for (let i = 0; i < rounds; i++) {
      await sh.type(`yes ${line}-${i}`);
      await sh.page.keyboard.press("Enter");
      await sh.page.waitForTimeout(1500);
      await sh.page.keyboard.press("Control+C");
      // Output has stopped once nothing new was written for a second.
      for (;;) {
        await sh.page.waitForTimeout(250);
        const idle = await sh.page.evaluate(() => performance.now() - (window as unknown as { benchLastWrite: number }).benchLastWrite);
        if (idle > 1000) break;
      }
      times.push(await sh.page.evaluate(() => { const w = window as unknown as { benchLastWrite: number; benchCtrlC: number }; return w.benchLastWrite - w.benchCtrlC; }));
    }
    return times;
  } finally {
    await sh.close();
  }
}

type CatRun = Awaited<ReturnType<typeof catInBrowser>>;

/** The rows of `cat` in Chromium's xterm: rate against the floor, longest task, share dropped, frame gap. */
function addBrowserRows(ctx: BenchContext, runs: CatRun[], o: { label: string; rate: number; ttyBytes: number; floor: number; where: string }): void {
  const longest = Math.max(...runs.map((r) => r.longestTask));
  ctx.add({
    section: "terminal",
    measure: `Chromium xterm (${runs[0].renderer} renderer), cat of the ${o.label} file until its last line is rendered (${o.where})`,
    value: o.rate,
    unit: "MB/s",
    floor: o.floor,
    ratio: o.rate / o.floor,
    target: "≥ 0.8×",
    met: o.rate / o.floor >= 0.8,
  });
  // The Long Tasks API reports tasks of 50 ms and more only: 0 means none reached 50 ms.
  ctx.add({ section: "terminal", measure: `longest main-thread task while it streams (0: none ≥ 50 ms; ${o.where})`, value: longest, unit: "ms", target: "≤ 50 ms", met: longest <= 50 });
  ctx.add({ section: "terminal", measure: `share of the output dropped unseen (lines that scroll out before they could be shown; ${o.where})`, value: (100 * median(runs.map((r) => r.dropped))) / o.ttyBytes, unit: "%" });
  ctx.add({ section: "terminal", measure: `longest gap between frames while it streams (${o.where})`, value: Math.max(...runs.map((r) => r.frameGap)), unit: "ms" });
}

export async function benchTerminal(ctx: BenchContext): Promise<void> {
  const bytes = (ctx.quick ? 8 : 64) * 1024 * 1024;
  const rounds = ctx.quick ? 1 : 3;
  const label = `${bytes / 1024 / 1024} MiB`;
  const mbps = (ms: number, n = bytes) => n / 1e6 / (ms / 1000);

  // `yes`: many small TTY writes.
  const raw: number[] = [];
  const sock: number[] = [];
  await rawTty(ctx.container, `yes ${line} | head -c ${1024 * 1024}`, 1024 * 1024); // warm-up
  for (let i = 0; i < rounds; i++) {
    raw.push(await rawTty(ctx.container, `yes ${line} | head -c ${bytes}`, bytes));
    sock.push(await throughSocket(ctx, bytes));
  }
  const rawRate = mbps(median(raw));
  const sockRate = mbps(median(sock));
  ctx.add({ section: "terminal", measure: `raw TTY exec attach, yes, ${label}`, value: rawRate, unit: "MB/s" });
  ctx.add({ section: "terminal", measure: `Socket.IO shell path, yes, ${label}`, value: sockRate, unit: "MB/s", floor: rawRate, ratio: sockRate / rawRate, target: "≥ 0.8×", met: sockRate / rawRate >= 0.8 });

  // `cat` of a text file: large TTY writes, the floor that shows what rendering costs.
  const catBytes = bytes;
  const lines = Math.ceil(catBytes / (FLOOD_LINE.length + 1));
  const made = await execIn(ctx.container, ["sh", "-c", `yes '${FLOOD_LINE}' | head -n ${lines} > ${FLOOD_FILE} && wc -c < ${FLOOD_FILE}`]);
  const fileBytes = Number(made.output.trim());
  // The TTY turns each \n into \r\n.
  const ttyBytes = fileBytes + lines;
  const rawCat: number[] = [];
  for (let i = 0; i < rounds + 1; i++) rawCat.push(await rawTty(ctx.container, `cat ${FLOOD_FILE}`, ttyBytes));
  const rawCatRate = mbps(median(rawCat.slice(1)), fileBytes);
  ctx.add({ section: "terminal", measure: `raw TTY exec attach, cat of a ${label} text file (80-byte lines)`, value: rawCatRate, unit: "MB/s" });
  const sockCat: number[] = [];
  for (let i = 0; i < rounds; i++) sockCat.push(await throughSocket(ctx, ttyBytes, `cat ${FLOOD_FILE}`));
  const sockCatRate = mbps(median(sockCat), fileBytes);
  ctx.add({ section: "terminal", measure: `Socket.IO shell path, cat of the ${label} file`, value: sockCatRate, unit: "MB/s", floor: rawCatRate, ratio: sockCatRate / rawCatRate });

  const echoes = await keyEcho(ctx, 200);
  ctx.add({ section: "terminal", measure: "key echo p50 (200 keys)", value: percentile(echoes, 50), unit: "ms", target: "≤ 5 ms", met: percentile(echoes, 50) <= 5 });
  ctx.add({ section: "terminal", measure: "key echo p99 (200 keys)", value: percentile(echoes, 99), unit: "ms" });
  const underFlood = await keyEchoUnderFlood(ctx, 200);
  const floodP50 = percentile(underFlood.echoes, 50);
  ctx.add({ section: "terminal", measure: "key echo p50 while another shell floods (yes)", value: floodP50, unit: "ms", target: "≤ 5 ms", met: floodP50 <= 5 });
  ctx.add({ section: "terminal", measure: "key echo p99 while another shell floods (yes)", value: percentile(underFlood.echoes, 99), unit: "ms" });

  const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  const browser = await chromium.launch({ executablePath: chromiumPath });
  try {
    const runs: CatRun[] = [];
    for (let i = 0; i < rounds; i++) runs.push(await catInBrowser(ctx, browser, ttyBytes));
    addBrowserRows(ctx, runs, { label, rate: mbps(median(runs.map((r) => r.ms)), fileBytes), ttyBytes, floor: rawCatRate, where: "browser, engine and server on the same CPUs" });

    const stops = await ctrlCInBrowser(ctx, browser, ctx.quick ? 2 : 7);
    const stopP50 = percentile(stops, 50);
    ctx.add({ section: "terminal", measure: `Ctrl-C during yes in Chromium until output stops on screen, p50 (${stops.length} runs)`, value: stopP50, unit: "ms", target: "≤ 200 ms", met: stopP50 <= 200 });
    ctx.add({ section: "terminal", measure: "Ctrl-C until output stops, max", value: Math.max(...stops), unit: "ms" });

    // The same with the browser on a CPU of its own, as on a user's machine (bench/cpus.ts); the
    // floor is measured again with the engine on the CPUs it has then.
    const split = splitCpus(chromiumPath, ctx.server.process.pid!);
    if ("skipped" in split) {
      ctx.add({ section: "terminal", measure: `Chromium xterm with the browser on a CPU of its own: not measured (${split.skipped})`, value: Number.NaN, unit: "" });
    } else {
      try {
        // Floor and page in turns, five of each: on one CPU both drift by ±10% over a minute.
        const ownRounds = ctx.quick ? 1 : 5;
        const own = await chromium.launch({ executablePath: split.chromium });
        try {
          await rawTty(ctx.container, `cat ${FLOOD_FILE}`, ttyBytes); // warm-up
          const rawOwn: number[] = [];
          const ownRuns: CatRun[] = [];
          for (let i = 0; i < ownRounds; i++) {
            rawOwn.push(await rawTty(ctx.container, `cat ${FLOOD_FILE}`, ttyBytes));
            ownRuns.push(await catInBrowser(ctx, own, ttyBytes));
          }
          const floor = mbps(median(rawOwn), fileBytes);
          ctx.add({ section: "terminal", measure: `raw TTY exec attach, cat of the ${label} file, the engine on CPU ${split.hostCpus} only (${ownRounds} runs)`, value: floor, unit: "MB/s" });
          addBrowserRows(ctx, ownRuns, { label, rate: mbps(median(ownRuns.map((r) => r.ms)), fileBytes), ttyBytes, floor, where: `browser on CPU ${split.browserCpu} of its own, engine and server on CPU ${split.hostCpus}, ${ownRounds} runs` });
        } finally {
          await own.close();
        }
      } finally {
        split.restore();
      }
    }
  } finally {
    await browser.close();
    await execIn(ctx.container, ["rm", "-f", FLOOD_FILE]);
  }
}
