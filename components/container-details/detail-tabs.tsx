"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef } from "react";

export type DetailView = "logs" | "inspect";

const views: { id: DetailView; label: string }[] = [
  { id: "logs", label: "Logs" },
  { id: "inspect", label: "Inspect" },
];

export const detailHref = (container: string, view: DetailView) => `/docker/containers/${encodeURIComponent(container)}?view=${view}`;

/** Logs / Inspect as WAI-ARIA tabs (as the Docker page's): the view lives in the URL; arrows, Home and End move. */
export function DetailTabs({ container, active }: { container: string; active: DetailView }) {
  const router = useRouter();
  const refs = useRef<(HTMLAnchorElement | null)[]>([]);
  const onKeyDown = (event: React.KeyboardEvent, index: number) => {
    const last = views.length - 1;
    const next =
      event.key === "ArrowRight" ? (index === last ? 0 : index + 1)
      : event.key === "ArrowLeft" ? (index === 0 ? last : index - 1)
      : event.key === "Home" ? 0
      : event.key === "End" ? last
      : undefined;
    if (next === undefined) return;
    event.preventDefault();
    refs.current[next]?.focus();
    router.push(detailHref(container, views[next].id), { scroll: false });
  };
  return (
    <div role="tablist" aria-label={`Views of ${container}`} className="mt-4 flex gap-1 overflow-x-auto border-b border-slate-200">
      {views.map((v, i) => {
        const selected = v.id === active;
        return (
          <Link
            key={v.id}
            ref={(el) => {
              refs.current[i] = el;
            }}
            id={`tab-${v.id}`}
            role="tab"
            href={detailHref(container, v.id)}
            scroll={false}
            tabIndex={selected ? 0 : -1}
            aria-selected={selected}
            aria-controls={selected ? `panel-${v.id}` : undefined}
            onKeyDown={(e) => onKeyDown(e, i)}
            className={`-mb-px shrink-0 border-b-2 px-3 py-2 text-sm font-medium whitespace-nowrap sm:px-4 ${
              selected ? "border-teal-700 text-teal-900" : "border-transparent text-slate-600 hover:text-slate-900"
            }`}
          >
            {v.label}
          </Link>
        );
      })}
    </div>
  );
}
