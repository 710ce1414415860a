/** One second of a container's resource use, as the Stats view shows it (from the engine's stats stream). */
export interface StatsSample {
  /** When the engine read it (ms since the epoch). */
  at: number;
  /** Of one core: 200 means two cores busy. */
  cpuPercent: number;
  memoryUsed: number;
  /** The container's limit, or the machine's memory when it has none. */
  memoryLimit: number;
  netRx: number;
  netTx: number;
  blockRead: number;
  blockWrite: number;
  pids: number;
}

/** How many samples (one a second) the chart holds, and a new viewer gets at once. */
export const STATS_HISTORY = 60;

/** The part of the engine's stats JSON (`GET /containers/<id>/stats`) that a sample is made from. */
export interface EngineStats {
  read?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  blkio_stats?: { io_service_bytes_recursive?: { op?: string; value?: number }[] | null };
  pids_stats?: { current?: number };
}

/**
 * A sample from one engine stats message, computed as `docker stats` does: CPU from the usage
 * deltas against the previous reading the engine includes, memory without the page cache
 * (cgroup v2 `inactive_file`, v1 `total_inactive_file`).
 */
export function statsSample(raw: EngineStats, now = Date.now()): StatsSample {
  const cpu = raw.cpu_stats ?? {};
  const pre = raw.precpu_stats ?? {};
  const cpuDelta = (cpu.cpu_usage?.total_usage ?? 0) - (pre.cpu_usage?.total_usage ?? 0);
  const systemDelta = (cpu.system_cpu_usage ?? 0) - (pre.system_cpu_usage ?? 0);
  const cpus = cpu.online_cpus || cpu.cpu_usage?.percpu_usage?.length || 1;
  const cpuPercent = cpuDelta > 0 && systemDelta > 0 && pre.system_cpu_usage ? (cpuDelta / systemDelta) * cpus * 100 : 0;
  const mem = raw.memory_stats ?? {};
  const cache = mem.stats?.inactive_file ?? mem.stats?.total_inactive_file ?? 0;
  const memoryUsed = Math.max(0, (mem.usage ?? 0) - (cache < (mem.usage ?? 0) ? cache : 0));
  let netRx = 0;
  let netTx = 0;
  for (const n of Object.values(raw.networks ?? {})) {
    netRx += n.rx_bytes ?? 0;
    netTx += n.tx_bytes ?? 0;
  }
  let blockRead = 0;
  let blockWrite = 0;
  for (const e of raw.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = (e.op ?? "").toLowerCase();
    if (op === "read") blockRead += e.value ?? 0;
    if (op === "write") blockWrite += e.value ?? 0;
  }
  const read = raw.read ? Date.parse(raw.read) : NaN;
  return {
    at: Number.isFinite(read) && read > 0 ? read : now,
    cpuPercent: Math.round(cpuPercent * 100) / 100,
    memoryUsed,
    memoryLimit: mem.limit ?? 0,
    netRx,
    netTx,
    blockRead,
    blockWrite,
    pids: raw.pids_stats?.current ?? 0,
  };
}
