"use client";

import type { ButtonHTMLAttributes } from "react";
import { useRoleReason } from "@/components/auth/principal";
import type { Role } from "@/lib/shared/roles";

type Variant = "primary" | "secondary" | "danger" | "ghost";

const variants: Record<Variant, string> = {
  primary: "bg-teal-700 text-white hover:bg-teal-800 border-transparent",
  secondary: "bg-white text-slate-800 hover:bg-slate-50 border-slate-300",
  danger: "bg-white text-red-700 hover:bg-red-50 border-red-300",
  ghost: "bg-transparent text-slate-700 hover:bg-slate-100 border-transparent",
};

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: Variant;
  size?: "sm" | "md";
  /** Shown instead of the label while the action runs; the button is disabled meanwhile. */
  pending?: boolean;
  pendingLabel?: string;
  /** Visible but not usable, with `title` saying why (a tooltip, and announced as a description). */
  unavailable?: boolean;
  /** Why it is unavailable: replaces `title` while it is (what the button would do is not the point then). */
  reason?: string;
  /** The role its action needs (lib/shared/roles.ts): below it, unavailable with the role's reason. */
  needs?: Role;
}

export function Button({
  variant = "secondary",
  size = "sm",
  pending,
  pendingLabel,
  unavailable,
  reason: givenReason,
  needs,
  className = "",
  children,
  onClick,
  ...rest
}: ButtonProps) {
  const roleReason = useRoleReason(needs);
  const reason = roleReason ?? givenReason;
  const inactive = pending || unavailable || !!roleReason;
  return (
    <button
      type="button"
      {...rest}
      title={inactive && reason ? reason : rest.title}
      aria-disabled={inactive || undefined}
      aria-busy={pending || undefined}
      onClick={inactive ? (e) => e.preventDefault() : onClick}
      className={`inline-flex items-center justify-center gap-1.5 rounded-md border font-medium whitespace-nowrap transition-colors ${
        size === "sm" ? "px-2.5 py-1 text-xs" : "px-3.5 py-2 text-sm"
      } ${variants[variant]} ${inactive ? "cursor-not-allowed opacity-50" : ""} ${className}`}
    >
      {pending && <span aria-hidden className="h-3 w-3 animate-spin rounded-full border-2 border-current border-t-transparent" />}
      {pending && pendingLabel ? pendingLabel : children}
    </button>
  );
}
