import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * The browser on a CPU of its own, as when it runs on the user's machine rather than on the Host.
 *
 * On this benchmark's machine the browser, the Docker engine and the dashboard share two CPUs; in
 * use the browser runs elsewhere and the Host's CPUs are the engine's and the server's. To measure
 * that case here, Chromium (started through `taskset`) gets the last CPU, and the engine's
 * processes (dockerd, containerd and its shims), the dashboard server and this process get the
 * others. Each process's own affinity is put back by `restore()`.
 */
export interface CpuSplit {
  /** An executable that starts Chromium on the browser's CPU (for Playwright's `executablePath`). */
  chromium: string;
  /** The CPUs of the engine, the server and this process, as `taskset -c` takes them (e.g. "0"). */
  hostCpus: string;
  browserCpu: number;
  restore: () => void;
}

/** The engine's processes: every dockerd, containerd and containerd shim on the machine. */
function enginePids(): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = fs.readFileSync(`/proc/${entry}/comm`, "utf8").trim();
      if (comm === "dockerd" || comm === "containerd" || comm.startsWith("containerd-shim")) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** The CPUs in `taskset -c -p` output ("pid 1's current affinity list: 0-2,5"). */
function cpuList(out: string): number[] {
  const list = /list:\s*([0-9,-]+)/.exec(out)?.[1];
  if (!list) throw new Error(`unexpected taskset output: ${out.trim()}`);
  const cpus: number[] = [];
  for (const part of list.split(",")) {
    const [from, to = from] = part.split("-").map(Number);
    for (let c = from; c <= to; c++) cpus.push(c);
  }
  return cpus;
}

/** The affinity mask `taskset -p` reports for `pid` (hex, e.g. "3"). */
function maskOf(pid: number): string {
  const out = execFileSync("taskset", ["-p", String(pid)], { encoding: "utf8" });
  const mask = /mask:\s*([0-9a-f]+)/i.exec(out)?.[1];
  if (!mask) throw new Error(`taskset -p ${pid}: ${out.trim()}`);
  return mask;
}

/** Sets the affinity of `pid` and all its threads. */
function pin(pid: number, cpus: string, list = true): void {
  execFileSync("taskset", list ? ["-a", "-p", "-c", cpus, String(pid)] : ["-a", "-p", cpus, String(pid)], { stdio: "ignore" });
}

/**
 * Splits the CPUs (see above), or says why it cannot: fewer than two CPUs, no `taskset`, or not
 * allowed to set the engine's affinity (not root).
 */
export function splitCpus(chromiumPath: string, serverPid: number): CpuSplit | { skipped: string } {
  let allowed: number[];
  try {
    allowed = cpuList(execFileSync("taskset", ["-c", "-p", String(process.pid)], { encoding: "utf8" }));
  } catch (e) {
    return { skipped: `no taskset (${(e as Error).message.split("\n")[0]})` };
  }
  if (allowed.length < 2) return { skipped: `needs 2 CPUs, has ${allowed.length}` };
  const browserCpu = allowed[allowed.length - 1];
  const hostCpus = allowed.slice(0, -1).join(",");
  const saved = new Map<number, string>();
  const restore = () => {
    for (const [pid, mask] of saved) {
      try {
        pin(pid, mask, false);
      } catch {
        // the process has ended
      }
    }
  };
  for (const pid of new Set([...enginePids(), serverPid, process.pid])) {
    let mask: string;
    try {
      mask = maskOf(pid);
    } catch {
      continue; // ended meanwhile
    }
    try {
      pin(pid, hostCpus);
      saved.set(pid, mask);
    } catch (e) {
      restore();
      return { skipped: `cannot set the CPU affinity of process ${pid} (${(e as Error).message.split("\n")[0]})` };
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hakuriver-bench-cpu-"));
  const chromium = path.join(dir, "chromium");
  fs.writeFileSync(chromium, `#!/bin/sh\nexec taskset -c ${browserCpu} ${JSON.stringify(chromiumPath)} "$@"\n`, { mode: 0o755 });
  return {
    chromium,
    hostCpus,
    browserCpu,
    restore: () => {
      restore();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
