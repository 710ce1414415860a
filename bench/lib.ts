import fs from "node:fs";
import http from "node:http";

/** Small helpers for the benchmark: timing, medians, raw Engine API calls, process RSS. */

export const now = () => performance.now();

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** Median wall time (ms) of `fn` over `runs`, after `warmup` unmeasured calls. */
export async function timeMedian(fn: () => Promise<unknown>, runs: number, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = now();
    await fn();
    times.push(now() - t);
  }
  return median(times);
}

/** A raw Engine API GET over the unix socket, body read to the end: the floor for listing. */
export function engineGet(path: string, socketPath = "/var/run/docker.sock"): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path, method: "GET" }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve(Buffer.concat(chunks)));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/**
 * A GET to the dashboard with node's plain http client (kept alive), body read to the end: the
 * same minimal client the floor uses, so the figure is the server's time, not a client library's.
 */
export function dashboardGet(url: string, headers: Record<string, string>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "GET", headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${url}: ${res.statusCode}`))));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** Resident set size of a process, in MiB (Linux). */
export function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** Samples a process's RSS every `everyMs` until stopped; returns the peak. */
export function sampleRss(pid: number, everyMs = 50): { stop: () => number } {
  let peak = rssMiB(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMiB(pid));
    } catch {
      // process gone
    }
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

export interface Row {
  section: string;
  measure: string;
  value: number;
  unit: string;
  floor?: number;
  ratio?: number;
  target?: string;
  met?: boolean;
}

export function fmt(n: number | undefined, digits = 1): string {
  if (n === undefined || Number.isNaN(n)) return "";
  return n >= 100 ? n.toFixed(0) : n.toFixed(digits);
}

export function printTable(rows: Row[]): void {
  const header = ["section", "measure", "value", "floor", "ratio", "target", "met"];
  const lines = rows.map((r) => [
    r.section,
    r.measure,
    `${fmt(r.value)} ${r.unit}`,
    r.floor !== undefined ? `${fmt(r.floor)} ${r.unit}` : "",
    r.ratio !== undefined ? `${r.ratio.toFixed(2)}×` : "",
    r.target ?? "",
    r.met === undefined ? "" : r.met ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const l of lines) console.log(line(l));
}

/** Watches a page's main thread for long tasks: `reset()` starts over, `longest()` reads the longest since (ms). */
export async function watchLongTasks(page: import("@playwright/test").Page): Promise<{ reset: () => Promise<void>; longest: () => Promise<number> }> {
  await page.evaluate(() => {
    const w = window as unknown as { longest: number };
    w.longest = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longest = Math.max(w.longest, e.duration);
    }).observe({ type: "longtask", buffered: false });
  });
  return {
    reset: async () => void (await page.evaluate(() => ((window as unknown as { longest: number }).longest = 0))),
    longest: () => page.evaluate(() => (window as unknown as { longest: number }).longest),
  };
}
