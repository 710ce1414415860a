"use client";

import { useEffect, useId, useRef, type ReactNode } from "react";

/**
 * A row's action buttons: inline from 40rem (laid out by `className`: one line in a table, wrapped
 * under a stacked row), behind a "More actions" button on phones, in a popover that opens in the top layer (never cut off by the table's scrolling
 * card) next to its button. The buttons are the same elements either way, inside the row, so
 * they keep their names and roles. Escape or a click elsewhere closes it, focus goes back to the
 * button.
 */
export function ActionsMenu({
  label,
  children,
  className = "justify-end",
  groupClassName = "flex-wrap justify-end",
}: {
  label: string;
  children: ReactNode;
  /** Where the button (phones) and the inline buttons sit in their cell. */
  className?: string;
  /** How the inline buttons are laid out (from 40rem). */
  groupClassName?: string;
}) {
  const id = useId();
  const menuRef = useRef<HTMLDivElement>(null);
  const toggleRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const menu = menuRef.current;
    const toggle = toggleRef.current;
    if (!menu || !toggle) return;
    const place = (event: Event) => {
      if ((event as ToggleEvent).newState !== "open") return;
      const r = toggle.getBoundingClientRect();
      menu.style.right = `${Math.max(8, window.innerWidth - r.right)}px`;
      menu.style.left = "auto";
      const below = r.bottom + 4;
      const height = menu.offsetHeight;
      menu.style.top = `${below + height > window.innerHeight - 8 ? Math.max(8, r.top - 4 - height) : below}px`;
      menu.style.bottom = "auto";
      menu.querySelector<HTMLElement>("button:not([aria-disabled])")?.focus();
    };
    menu.addEventListener("toggle", place);
    return () => menu.removeEventListener("toggle", place);
  }, []);
  return (
    <div className={`flex ${className}`}>
      <button
        ref={toggleRef}
        type="button"
        popoverTarget={id}
        aria-label="More actions"
        title={label}
        className="inline-flex h-8 w-8 items-center justify-center rounded-md border border-slate-300 bg-white text-slate-700 hover:bg-slate-50 sm:hidden"
      >
        <span aria-hidden className="text-lg leading-none">⋯</span>
      </button>
      <div
        ref={menuRef}
        id={id}
        popover="auto"
        data-actions-menu
        role="group"
        aria-label={label}
        className={`m-0 flex-col items-stretch gap-1.5 rounded-lg border border-slate-200 bg-white p-2 text-slate-900 shadow-lg open:flex sm:flex-row sm:items-center ${groupClassName}`}
      >
        {children}
      </div>
    </div>
  );
}
