"use client";

import { useEffect, useId, useRef } from "react";

const sizes = { normal: "max-w-lg", wide: "max-w-3xl", terminal: "max-w-[min(96vw,80rem)]" };

/**
 * A modal built on the native <dialog>: focus is trapped, Escape closes it, and it is exposed as
 * role "dialog" named by its title. Nothing is in the DOM while it is closed, so a table with a
 * dialog per row stays light to render and hydrate.
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
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={onClose}
      className={`m-auto w-full rounded-xl border border-slate-200 bg-white p-0 text-slate-900 shadow-xl ${sizes[size]}`}
    >
      <div className="p-5">
        <h2 id={titleId} className="text-base font-semibold">
          {title}
        </h2>
        <div className="mt-3">{children}</div>
      </div>
    </dialog>
  );
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
