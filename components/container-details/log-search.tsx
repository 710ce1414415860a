"use client";

import { Button } from "@/components/ui/button";

/** Search within the loaded lines: a box, previous/next, and "k of n". Enter is next, Shift+Enter previous. */
export function LogSearch({
  query,
  onQuery,
  count,
  current,
  onMove,
}: {
  query: string;
  onQuery: (q: string) => void;
  count: number;
  current: number;
  onMove: (step: 1 | -1) => void;
}) {
  return (
    <div role="search" aria-label="Search the loaded lines" className="flex flex-wrap items-center gap-1.5">
      <input
        type="search"
        aria-label="Search loaded lines"
        placeholder="Search loaded lines"
        value={query}
        onChange={(e) => onQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            onMove(e.shiftKey ? -1 : 1);
          }
        }}
        className="w-48 min-w-0 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm"
      />
      <Button size="sm" onClick={() => onMove(-1)} unavailable={count === 0} reason="No match">
        Previous match
      </Button>
      <Button size="sm" onClick={() => onMove(1)} unavailable={count === 0} reason="No match">
        Next match
      </Button>
      <span aria-live="polite" className="text-sm text-slate-600">
        {query ? (count ? `${current + 1} of ${count}` : "No match") : ""}
      </span>
    </div>
  );
}
