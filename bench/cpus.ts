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
  /** The CPUs of the engine, the server and this process, as `taskset` lists them (e.g. "0"). */
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
  const cpus = os.availableParallelism();
  if (cpus < 2) return { skipped: `needs 2 CPUs, has ${cpus}` };
  const browserCpu = cpus - 1;
  const hostCpus = cpus === 2 ? "0" : `0-${cpus - 2}`;
  const pids = [...new Set([...enginePids(), serverPid, process.pid])];
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
  try {
    for (const pid of pids) {
      saved.set(pid, maskOf(pid));
      pin(pid, hostCpus);
    }
  } catch (e) {
    restore();
    return { skipped: `cannot set CPU affinity (${(e as Error).message.split("\n")[0]})` };
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
