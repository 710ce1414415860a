import { formatBytes } from "@/components/ui/format";
import { ProgressBar } from "@/components/ui/progress-bar";
import type { LayerProgress } from "@/lib/shared/containers";

/** One line per layer of Docker's pull stream: its phase and bytes, with a bar when Docker gives a total. */
export function PullProgress({ layers }: { layers: LayerProgress[] }) {
  if (layers.length === 0) return null;
  return (
    <ul aria-label="Pull progress" className="mt-2 space-y-1.5">
      {layers.map((l) => {
        const pct = l.total ? Math.min(100, Math.round(((l.current ?? 0) / l.total) * 100)) : undefined;
        return (
          <li key={l.id} data-testid="pull-layer" className="text-xs">
            <div className="flex justify-between gap-3 font-mono">
              <span className="text-slate-600">{l.id}</span>
              <span className="text-slate-800">
                {l.status}
                {l.total ? ` · ${formatBytes(l.current ?? 0)} / ${formatBytes(l.total)}` : ""}
              </span>
            </div>
            {pct !== undefined && <ProgressBar label={`Layer ${l.id}`} percent={pct} className="mt-0.5" />}
          </li>
        );
      })}
    </ul>
  );
}
