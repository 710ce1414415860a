"use client";

import { useState } from "react";
import { formatBytes } from "@/components/ui/format";
import { STATS_HISTORY, type StatsSample } from "@/lib/shared/stats";
import { StatsChart } from "./stats-chart";
import { useWatch } from "./use-watch";

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div className="min-w-0 rounded-lg border border-slate-200 bg-white p-3">
      <dt className="text-sm text-slate-600">{label}</dt>
      <dd className="mt-0.5 font-mono text-lg [overflow-wrap:anywhere]">{value}</dd>
    </div>
  );
}

/** Stats: the container's resource use, pushed once a second from the engine's one stats stream for it. */
export function StatsView({ name, running }: { name: string; running: boolean }) {
  const [samples, setSamples] = useState<StatsSample[]>([]);
  const watch = useWatch(name, "stats", running, ({ sample }) => setSamples((s) => [...s, sample].slice(-STATS_HISTORY)));
  const [seeded, setSeeded] = useState(false);
  if (watch.phase === "on" && !seeded) {
    setSeeded(true);
    if (watch.ack.history.length) setSamples((s) => [...watch.ack.history, ...s].slice(-STATS_HISTORY));
  }
  if (!running) return <p className="text-sm text-slate-600">{name} is not running: it uses nothing. Start it to see its stats.</p>;
  const last = samples.at(-1);
  return (
    <section aria-label={`Stats of ${name}`}>
      <p aria-live="polite" className="mb-2 text-sm text-slate-600">
        {watch.phase === "ended" ? watch.reason : last ? "Live: once a second." : "Waiting for the engine's first reading…"}
      </p>
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-6">
        <Figure label="CPU" value={last ? `${last.cpuPercent.toFixed(1)} %` : "—"} />
        <Figure label="Memory" value={last ? `${formatBytes(last.memoryUsed)} / ${formatBytes(last.memoryLimit)}` : "—"} />
        <Figure label="Network in / out" value={last ? `${formatBytes(last.netRx)} / ${formatBytes(last.netTx)}` : "—"} />
        <Figure label="Block read / write" value={last ? `${formatBytes(last.blockRead)} / ${formatBytes(last.blockWrite)}` : "—"} />
        <Figure label="PIDs" value={last ? String(last.pids) : "—"} />
        <Figure label="Samples" value={`${samples.length} s of ${STATS_HISTORY}`} />
      </dl>
      <div className="mt-4 min-w-0 rounded-lg border border-slate-200 bg-white p-3">
        <h2 className="mb-2 text-base font-semibold">Last 60 seconds</h2>
        <StatsChart samples={samples} />
      </div>
    </section>
  );
}
