/** A thin determinate progress bar, announced with its label and percentage. */
export function ProgressBar({ label, percent, className = "" }: { label: string; percent: number; className?: string }) {
  return (
    <span
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      className={`block h-1.5 overflow-hidden rounded bg-slate-200 ${className}`}
    >
      <span className="block h-full bg-teal-600 transition-[width]" style={{ width: `${percent}%` }} />
    </span>
  );
}
