"use client";

import { useEffect, useRef } from "react";
import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { StatsSample } from "@/lib/shared/stats";

const CPU = "#0f766e";
const MEMORY = "#7c3aed";

function dataOf(samples: StatsSample[]): uPlot.AlignedData {
  return [
    samples.map((s) => s.at / 1000),
    samples.map((s) => s.cpuPercent),
    samples.map((s) => (s.memoryLimit ? (s.memoryUsed / s.memoryLimit) * 100 : 0)),
  ];
}

/**
 * The last 60 s of CPU % and memory % (of the limit), drawn by uPlot (loaded when a Stats view
 * opens). The axes take the page's text colour, so the chart reads in light and dark.
 */
export function StatsChart({ samples }: { samples: StatsSample[] }) {
  const holder = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const latest = useRef(samples);
  useEffect(() => {
    latest.current = samples;
    chart.current?.setData(dataOf(samples));
  }, [samples]);

  useEffect(() => {
    let disposed = false;
    let resize: ResizeObserver | undefined;
    void import("uplot").then(({ default: UPlot }) => {
      const el = holder.current;
      if (disposed || !el) return;
      const ink = getComputedStyle(el).color;
      const axis = { stroke: ink, grid: { stroke: "rgba(127,127,127,0.25)" }, ticks: { stroke: "rgba(127,127,127,0.4)" } };
      chart.current = new UPlot(
        {
          width: el.clientWidth,
          height: 180,
          scales: { x: { time: true, range: (_u, _min, max) => [max - 60, max] }, y: { range: (_u, _min, max) => [0, Math.max(5, Math.ceil(max / 5) * 5)] } },
          series: [{}, { label: "CPU %", stroke: CPU, width: 2 }, { label: "Memory %", stroke: MEMORY, width: 2 }],
          axes: [axis, { ...axis, values: (_u, vals) => vals.map((v) => `${v}%`) }],
          legend: { show: true },
        },
        dataOf(latest.current),
        el,
      );
      resize = new ResizeObserver(() => chart.current?.setSize({ width: el.clientWidth, height: 180 }));
      resize.observe(el);
    });
    return () => {
      disposed = true;
      resize?.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);

  return <div ref={holder} role="img" aria-label="CPU and memory use over the last 60 seconds" className="w-full min-w-0 overflow-hidden text-slate-700" />;
}
