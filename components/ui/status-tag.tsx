import type { StatusTone, StatusView } from "@/lib/shared/status";

const toneClasses: Record<StatusTone, string> = {
  green: "bg-green-100 text-green-800 ring-green-600/30",
  slate: "bg-slate-100 text-slate-700 ring-slate-500/30",
  blue: "bg-sky-100 text-sky-800 ring-sky-600/30",
  amber: "bg-amber-100 text-amber-900 ring-amber-600/30",
  red: "bg-red-100 text-red-800 ring-red-600/30",
  gray: "bg-gray-100 text-gray-700 ring-gray-500/30",
};

/** A coloured status tag; the text always says the state, colour only supports it. */
export function StatusTag({ view, title }: { view: StatusView; title?: string }) {
  return (
    <span
      data-testid="status-tag"
      data-tone={view.tone}
      title={title}
      className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${toneClasses[view.tone]}`}
    >
      <span aria-hidden className="h-1.5 w-1.5 rounded-full bg-current" />
      {view.label}
    </span>
  );
}
