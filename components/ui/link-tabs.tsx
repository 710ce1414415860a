"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef } from "react";

export interface LinkTab {
  id: string;
  label: string;
  href: string;
}

/**
 * Tabs whose selection lives in the URL (a reload or a shared link keeps it), as WAI-ARIA tabs:
 * one tab stop (the selected tab); arrow keys, Home and End move between tabs and open the one
 * they land on; Space opens the focused one. Each tab is `tab-<id>` and controls `panel-<id>`.
 */
export function LinkTabs({ tabs, active, label, className = "" }: { tabs: LinkTab[]; active: string; label: string; className?: string }) {
  const router = useRouter();
  const refs = useRef<(HTMLAnchorElement | null)[]>([]);
  const onKeyDown = (event: React.KeyboardEvent, index: number) => {
    const last = tabs.length - 1;
    const next =
      event.key === "ArrowRight" ? (index === last ? 0 : index + 1)
      : event.key === "ArrowLeft" ? (index === 0 ? last : index - 1)
      : event.key === "Home" ? 0
      : event.key === "End" ? last
      : undefined;
    if (next !== undefined) {
      event.preventDefault();
      refs.current[next]?.focus();
      router.push(tabs[next].href, { scroll: false });
    } else if (event.key === " ") {
      event.preventDefault();
      router.push(tabs[index].href, { scroll: false });
    }
  };
  return (
    <div role="tablist" aria-label={label} className={`flex gap-1 overflow-x-auto border-b border-slate-200 ${className}`}>
      {tabs.map((t, i) => {
        const selected = t.id === active;
        return (
          <Link
            key={t.id}
            ref={(el) => {
              refs.current[i] = el;
            }}
            id={`tab-${t.id}`}
            role="tab"
            href={t.href}
            scroll={false}
            tabIndex={selected ? 0 : -1}
            aria-selected={selected}
            aria-controls={selected ? `panel-${t.id}` : undefined}
            onKeyDown={(e) => onKeyDown(e, i)}
            className={`-mb-px shrink-0 border-b-2 px-3 py-2 text-sm font-medium whitespace-nowrap sm:px-4 ${
              selected ? "border-teal-700 text-teal-900" : "border-transparent text-slate-600 hover:text-slate-900"
            }`}
          >
            {t.label}
          </Link>
        );
      })}
    </div>
  );
}
