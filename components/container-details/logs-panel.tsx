"use client";

import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { matchingLines } from "@/lib/shared/log-page";
import { MAX_PAGE_LINES, type LogTail } from "@/lib/shared/logs";
import { Line } from "./log-lines";
import { LogRange } from "./log-range";
import { LogSearch } from "./log-search";
import { useLogPage } from "./use-log-page";
import { useWatch } from "./use-watch";

function Note({ children, tone = "amber" }: { children: React.ReactNode; tone?: "amber" | "slate" }) {
  const colours = tone === "amber" ? "border-amber-300 bg-amber-50 text-amber-900" : "border-slate-300 bg-slate-50 text-slate-800";
  return <p role="note" className={`mb-2 rounded-md border px-3 py-2 text-sm ${colours}`}>{children}</p>;
}

/** Search over the held lines: the matches, the current one, and moving between them (it scrolls into view). */
function useSearch(lines: LogTail["lines"], box: React.RefObject<HTMLDivElement | null>) {
  const [query, setQuery] = useState("");
  const [current, setCurrent] = useState(0);
  const matches = useMemo(() => matchingLines(lines, query), [lines, query]);
  const at = matches.length ? Math.min(current, matches.length - 1) : 0;
  const move = (step: 1 | -1) => matches.length && setCurrent((at + step + matches.length) % matches.length);
  useEffect(() => {
    box.current?.querySelector('[data-match="current"]')?.scrollIntoView({ block: "nearest" });
  }, [at, query, box]);
  return { query, setQuery: (q: string) => (setQuery(q), setCurrent(0)), matches, at, move };
}

/**
 * The log box's scrolling: followed lines keep a box scrolled to its end there; an older page keeps
 * the lines in view where they were; scrolling to the top loads the page before.
 */
function useLogScroll(lines: unknown[], atStart: boolean, loadOlder: () => Promise<void>) {
  const box = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const height = useRef(0);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    if (stick.current) el.scrollTop = el.scrollHeight;
    else if (el.scrollTop < 4 && height.current) el.scrollTop += el.scrollHeight - height.current;
    height.current = el.scrollHeight;
  }, [lines]);
  const onScroll = (e: React.UIEvent<HTMLDivElement>) => {
    const el = e.currentTarget;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
    height.current = el.scrollHeight;
    if (el.scrollTop === 0 && !atStart) void loadOlder();
  };
  return { box, onScroll };
}

/** The line count, Follow, the wrap toggle and Download. */
function LogToolbar(props: {
  count: number;
  tty: boolean;
  follow: boolean;
  onFollow: () => void;
  followUnavailable: boolean;
  wrap: boolean;
  onWrap: (wrap: boolean) => void;
  downloadHref: string;
}) {
  return (
    <div className="my-2 flex flex-wrap items-center gap-3 text-sm">
      <span className="text-slate-600">
        {props.count} lines (at most {MAX_PAGE_LINES}){props.tty ? " · TTY: stdout and stderr are one stream" : " · stderr marked err"}
      </span>
      <Button size="sm" aria-pressed={props.follow} onClick={props.onFollow} unavailable={props.followUnavailable} reason="Follow shows new lines: clear Until or reload for the newest">
        {props.follow ? "Stop following" : "Follow"}
      </Button>
      <label className="inline-flex items-center gap-1.5">
        <input type="checkbox" checked={props.wrap} onChange={(e) => props.onWrap(e.target.checked)} />
        Wrap lines
      </label>
      <a href={props.downloadHref} download className="rounded-md border border-slate-300 bg-white px-2.5 py-1 text-xs font-medium text-slate-800 hover:bg-slate-50">
        Download
      </a>
    </div>
  );
}

/** The Logs view: the held lines with Follow, Search, a time range, Load older, wrap and Download. */
export function LogsPanel({ log, since, until, downloadHref }: { log: LogTail; since: string; until: string; downloadHref: string }) {
  const { page, append, loadOlder, atStart, older } = useLogPage(log, since);
  const [wrap, setWrap] = useState(true);
  const [follow, setFollow] = useState(false);
  const [skipped, setSkipped] = useState(0);
  const watch = useWatch(log.container, "logs", follow && !until && !page.droppedNewest, (batch) => {
    append(batch.lines);
    if (batch.skipped) setSkipped((n) => n + batch.skipped);
  });
  const { box, onScroll } = useLogScroll(page.lines, atStart, loadOlder);
  const search = useSearch(page.lines, box);
  const matchSet = useMemo(() => new Set(search.matches), [search.matches]);
  const currentLine = search.matches[search.at];
  const followWords =
    watch.phase === "on" ? "Following: new lines appear as they are printed." : watch.phase === "connecting" ? "Connecting…" : watch.phase === "ended" ? watch.reason : "";
  return (
    <section aria-label={`Logs of ${log.container}`}>
      <LogRange since={since} until={until} />
      <LogToolbar
        count={page.lines.length}
        tty={log.tty}
        follow={follow}
        onFollow={() => setFollow((f) => !f)}
        followUnavailable={!!until || page.droppedNewest}
        wrap={wrap}
        onWrap={setWrap}
        downloadHref={downloadHref}
      />
      <LogSearch query={search.query} onQuery={search.setQuery} count={search.matches.length} current={search.at} onMove={search.move} />
      <div className="mt-2">
        {follow && followWords && <p aria-live="polite" className="mb-2 text-sm text-slate-600">{followWords}{skipped ? ` ${skipped} lines came too fast to show.` : ""}</p>}
        {log.truncated && <Note>These lines are too large to show whole: the newest are left out. Download has the whole log.</Note>}
        {page.droppedNewest && <Note>The newest lines left the page to keep it to {MAX_PAGE_LINES} lines; reload for them.</Note>}
        {older.error && <p role="alert" className="mb-2 text-sm text-red-800">{older.error}</p>}
      </div>
      {page.lines.length === 0 ? (
        <p className="text-sm text-slate-600">{log.container} has printed nothing {since || until ? "in this range" : "yet"}.</p>
      ) : (
        <>
          <div className="mb-1 flex items-center gap-2 text-sm">
            {atStart ? (
              <span className="text-slate-600">{page.droppedOldest ? "Older lines left the page; reload to read them." : "The start of the log."}</span>
            ) : (
              <Button size="sm" onClick={() => void loadOlder()} pending={older.pending} pendingLabel="Loading older…">
                Load older
              </Button>
            )}
          </div>
          <div
            ref={box}
            role="log"
            tabIndex={0}
            aria-label="Log lines"
            onScroll={onScroll}
            className={`max-h-[70vh] overflow-auto rounded-md bg-slate-900 py-2 font-mono text-xs leading-5 text-slate-100 ${wrap ? "whitespace-pre-wrap [overflow-wrap:anywhere]" : "whitespace-pre"}`}
          >
            {page.lines.map((line, i) => (
              <Line key={line.key} line={line} query={matchSet.has(i) ? search.query : undefined} current={i === currentLine} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
