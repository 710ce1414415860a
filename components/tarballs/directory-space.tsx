import { formatBytes } from "@/components/ui/format";
import type { DirectorySpace } from "@/lib/shared/tarballs";

/** Used and free space of the shared directory's file system, and what the tarballs take of it. */
export function DirectorySpaceBar({ space }: { space?: DirectorySpace }) {
  if (!space || space.total === 0) return null;
  const pct = Math.min(100, Math.round((space.used / space.total) * 100));
  const low = space.free < space.total * 0.1;
  return (
    <div data-testid="directory-space" className="flex flex-wrap items-center gap-2 text-xs text-slate-600">
      <span
        role="meter"
        aria-label="Shared directory space used"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        className="block h-1.5 w-32 overflow-hidden rounded bg-slate-200"
      >
        <span className={`block h-full ${low ? "bg-red-600" : "bg-teal-600"}`} style={{ width: `${pct}%` }} />
      </span>
      <span>
        {formatBytes(space.used)} used of {formatBytes(space.total)} ·{" "}
        <span className={low ? "font-medium text-red-800" : ""}>{formatBytes(space.free)} free</span> · tarballs {formatBytes(space.tarballs)}
      </span>
    </div>
  );
}
