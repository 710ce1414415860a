"use client";

import { useId, useLayoutEffect, useRef } from "react";

const sizes = { normal: "max-w-lg", wide: "max-w-3xl", terminal: "max-w-[min(96vw,80rem)]" };

/**
 * A modal built on the native <dialog>: focus is trapped, Escape closes it, and it is exposed as
 * role "dialog" named by its title. Nothing is in the DOM while it is closed, so a table with a
 * dialog per row stays light to render and hydrate. When it closes, focus goes back to the control
 * that opened it, or, when that is gone (a deleted row), to the section it was in.
 */
export function Modal(props: { open: boolean; onClose: () => void; title: string; children: React.ReactNode; size?: "normal" | "wide" | "terminal" }) {
  return props.open ? <OpenModal {...props} /> : null;
}

function OpenModal({
  onClose,
  title,
  children,
  size = "normal",
}: {
  onClose: () => void;
  title: string;
  children: React.ReactNode;
  size?: "normal" | "wide" | "terminal";
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useLayoutEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      // After React removed the dialog; the opener may go with it (its row deleted) a moment later.
      setTimeout(() => returnFocus(opener), 0);
    };
  }, []);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={onClose}
      className={`m-auto max-h-[calc(100dvh-1rem)] w-[calc(100%-1rem)] overflow-y-auto rounded-xl border border-slate-200 bg-white p-0 text-left font-normal whitespace-normal text-slate-900 shadow-xl ${sizes[size]}`}
    >
      <div className="p-4 sm:p-5">
        <h2 id={titleId} className="text-base font-semibold [overflow-wrap:anywhere]">
          {title}
        </h2>
        <div className="mt-3">{children}</div>
      </div>
    </dialog>
  );
}

/** Focus `opener` if it is still on the page and shown, else the section (or main) it was in. */
function returnFocus(opener: HTMLElement | null) {
  if (!opener) return;
  // Opened from a row's actions menu (phones): the menu stayed open under a dialog inside it (the
  // Shell's); its work is done, so it closes and does not cover the page once the dialog is gone.
  const menu = opener.closest<HTMLElement>("[popover]");
  if (menu?.matches(":popover-open")) menu.hidePopover();
  if (opener.isConnected && opener.offsetParent !== null) return opener.focus();
  // Back to the menu's button.
  const invoker = menu?.id ? document.querySelector<HTMLElement>(`[popovertarget="${CSS.escape(menu.id)}"]`) : null;
  if (invoker && invoker.offsetParent !== null) return invoker.focus();
  focusPlaceOf(opener);
}

/** Focuses the nearest section (or main) around `el`, or main when `el` has left the page. */
export function focusPlaceOf(el: Element) {
  const place = (el.isConnected && el.closest<HTMLElement>("section, main")) || document.querySelector<HTMLElement>("main");
  if (!place) return;
  if (!place.hasAttribute("tabindex")) place.setAttribute("tabindex", "-1");
  place.focus();
}

/**
 * When the element behind `ref` leaves the page (a deleted row) while focus is inside it, focus
 * goes to its section instead of falling to <body>.
 */
export function useKeepFocus(ref: React.RefObject<HTMLElement | null>) {
  useLayoutEffect(() => {
    const el = ref.current;
    return () => {
      // Layout cleanups run before React detaches the element: it still knows its section.
      if (!el || !el.contains(document.activeElement)) return;
      const place = el.closest<HTMLElement>("section, main");
      setTimeout(() => place && focusPlaceOf(place), 0);
    };
  }, [ref]);
}

/** A yes/no question in a modal; the confirm button carries the action's own name. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: React.ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <Modal open={open} onClose={onCancel} title={title}>
      <div className="text-sm text-slate-700">{children}</div>
      <div className="mt-5 flex justify-end gap-2">
        <button
          type="button"
          autoFocus
          onClick={onCancel}
          className="rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium hover:bg-slate-50"
        >
          Cancel
        </button>
        <button
          type="button"
          onClick={onConfirm}
          className="rounded-md border border-transparent bg-red-700 px-3.5 py-2 text-sm font-medium text-white hover:bg-red-800"
        >
          {confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
