"use client";

import Anser, { type AnserJsonEntry } from "anser";
import { useMemo, useState } from "react";
import type { LogLine, LogTail } from "@/lib/shared/logs";

/** One line's ANSI-coloured pieces, parsed by anser (colours as inline styles; the CSP allows them). */
function Colored({ text }: { text: string }) {
  const parts = useMemo(() => Anser.ansiToJson(text, { remove_empty: true }), [text]);
  return (
    <>
      {parts.map((p: AnserJsonEntry, i) => {
        const style: React.CSSProperties = {};
        if (p.fg) style.color = `rgb(${p.fg})`;
        if (p.bg) style.backgroundColor = `rgb(${p.bg})`;
        if (p.decorations?.includes("bold")) style.fontWeight = 600;
        if (p.decorations?.includes("italic")) style.fontStyle = "italic";
        if (p.decorations?.includes("underline")) style.textDecoration = "underline";
        return (
          <span key={i} style={style}>
            {p.content}
          </span>
        );
      })}
    </>
  );
}

const streamMark: Record<LogLine["stream"], string> = { stdout: "out", stderr: "err", tty: "tty" };

function Line({ line }: { line: LogLine }) {
  const err = line.stream === "stderr";
  return (
    <div data-stream={line.stream} className={`flex gap-2 px-2 ${err ? "bg-red-950/60" : ""}`}>
      <span className="shrink-0 text-slate-400 select-none">{line.time ? line.time.slice(0, 23).replace("T", " ") : ""}</span>
      <span className={`w-7 shrink-0 select-none ${err ? "text-red-300" : "text-slate-500"}`} title={line.stream}>
        {streamMark[line.stream]}
      </span>
      <span className="min-w-0">
        <Colored text={line.text} />
      </span>
    </div>
  );
}

/** The Logs view's lines with a wrap toggle and Download of the whole log. */
export function LogLines({ log, downloadHref }: { log: LogTail; downloadHref: string }) {
  const [wrap, setWrap] = useState(true);
  return (
    <section aria-label={`Logs of ${log.container}`}>
      <div className="mb-2 flex flex-wrap items-center gap-3 text-sm">
        <span className="text-slate-600">
          Last {log.lines.length} lines{log.tail > log.lines.length ? "" : ` (of at most ${log.tail})`}
          {log.tty ? " · TTY: stdout and stderr are one stream" : " · stderr marked err"}
        </span>
        <label className="inline-flex items-center gap-1.5">
          <input type="checkbox" checked={wrap} onChange={(e) => setWrap(e.target.checked)} />
          Wrap lines
        </label>
        <a href={downloadHref} download className="rounded-md border border-slate-300 bg-white px-2.5 py-1 text-xs font-medium text-slate-800 hover:bg-slate-50">
          Download
        </a>
      </div>
      {log.truncated && (
        <p role="note" className="mb-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          These lines are too large to show whole: the newest are left out. Download has the whole log.
        </p>
      )}
      {log.lines.length === 0 ? (
        <p className="text-sm text-slate-600">{log.container} has printed nothing yet.</p>
      ) : (
        <div
          role="log"
          tabIndex={0}
          aria-label="Log lines"
          className={`max-h-[70vh] overflow-auto rounded-md bg-slate-900 py-2 font-mono text-xs leading-5 text-slate-100 ${wrap ? "whitespace-pre-wrap [overflow-wrap:anywhere]" : "whitespace-pre"}`}
        >
          {log.lines.map((line, i) => (
            <Line key={i} line={line} />
          ))}
        </div>
      )}
    </section>
  );
}
