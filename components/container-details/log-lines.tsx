"use client";

import Anser, { type AnserJsonEntry } from "anser";
import { memo, useMemo } from "react";
import type { HeldLine } from "@/lib/shared/log-page";
import type { LogLine } from "@/lib/shared/logs";

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `content` with every case-insensitive occurrence of `query` marked. */
function Highlighted({ content, query }: { content: string; query?: string }) {
  if (!query) return <>{content}</>;
  const parts = content.split(new RegExp(`(${escapeRegExp(query)})`, "gi"));
  return (
    <>
      {parts.map((p, i) =>
        i % 2 === 1 ? (
          <mark key={i} className="rounded-sm bg-yellow-300 text-black">
            {p}
          </mark>
        ) : (
          p
        ),
      )}
    </>
  );
}

/** One line's ANSI-coloured pieces, parsed by anser (colours as inline styles; the CSP allows them). */
function Colored({ text, query }: { text: string; query?: string }) {
  // Most lines have no escape at all: nothing to parse.
  const parts = useMemo(() => (text.includes("\u001b") ? Anser.ansiToJson(text, { remove_empty: true }) : undefined), [text]);
  if (!parts) return <Highlighted content={text} query={query} />;
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
            <Highlighted content={p.content} query={query} />
          </span>
        );
      })}
    </>
  );
}

const streamMark: Record<LogLine["stream"], string> = { stdout: "out", stderr: "err", tty: "tty" };

/** One line; `query` only when it matches (so a search re-renders the matching lines alone). */
export const Line = memo(function Line({ line, query, current }: { line: HeldLine; query?: string; current?: boolean }) {
  const err = line.stream === "stderr";
  return (
    <div
      data-stream={line.stream}
      data-key={line.key}
      data-match={query ? (current ? "current" : "yes") : undefined}
      className={`flex gap-2 px-2 ${err ? "bg-red-950/60" : ""} ${current ? "outline-2 -outline-offset-2 outline-yellow-300" : ""}`}
    >
      <span className="shrink-0 text-slate-400 select-none">{line.time ? line.time.slice(0, 23).replace("T", " ") : ""}</span>
      <span className={`w-7 shrink-0 select-none ${err ? "text-red-300" : "text-slate-400"}`} title={line.stream}>
        {streamMark[line.stream]}
      </span>
      <span className="min-w-0">
        <Colored text={line.text} query={query} />
      </span>
    </div>
  );
});
