"use client";

import { useCallback, useState } from "react";
import { appendLines, logPage, prependLines, type LogPage } from "@/lib/shared/log-page";
import type { LogLine, LogTail } from "@/lib/shared/logs";

/**
 * The lines a Logs page holds (lib/shared/log-page.ts) and Load older: the page before the first
 * line held, read with `until` = its time (and the page's own since), within the line cap.
 */
export function useLogPage(log: LogTail, since: string) {
  const [page, setPage] = useState<LogPage>(() => logPage(log.lines));
  // Fewer lines than asked for: the log starts here.
  const [atStart, setAtStart] = useState(log.lines.length < log.tail);
  const [older, setOlder] = useState<{ pending: boolean; error?: string }>({ pending: false });

  const append = useCallback((lines: LogLine[]) => setPage((p) => appendLines(p, lines)), []);

  const loadOlder = useCallback(async () => {
    const first = page.lines[0];
    if (!first?.time || older.pending || atStart) return;
    setOlder({ pending: true });
    const query = new URLSearchParams({ tail: String(log.tail), until: first.time, older: "1", ...(since ? { since } : {}) });
    try {
      const res = await fetch(`/api/containers/${encodeURIComponent(log.container)}/logs/lines?${query}`, { cache: "no-store" });
      const body = (await res.json()) as LogTail & { error?: string };
      if (!res.ok) throw new Error(body.error ?? `The server answered ${res.status}.`);
      setPage((p) => {
        const next = prependLines(p, body.lines);
        if (next.lines.length === p.lines.length) setAtStart(true);
        return next;
      });
      if (body.lines.length < body.tail) setAtStart(true);
      setOlder({ pending: false });
    } catch (err) {
      setOlder({ pending: false, error: `Could not load older lines: ${err instanceof Error ? err.message : String(err)}` });
    }
  }, [page.lines, older.pending, atStart, log.tail, log.container, since]);

  return { page, append, loadOlder, atStart, older };
}
