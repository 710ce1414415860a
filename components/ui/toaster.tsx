"use client";

import { useEffect } from "react";
import { Toaster as Sonner } from "sonner";

/** How much of the window's bottom the toasts take, as a CSS length on <html> (ToastSpace reads it). */
const RESERVE = "--toasts-reserve";

/** The toasts' share of the window's bottom edge, in px: from the highest toast shown to the bottom (0 with none). */
function toastsReserve(): number | undefined {
  const toasts = [...document.querySelectorAll<HTMLElement>("[data-sonner-toast]")].filter((t) => t.dataset.removed !== "true" && t.dataset.visible !== "false");
  // Spread out under the pointer: the user is reading them, the page stays where it is.
  if (toasts.some((t) => t.dataset.expanded === "true" && t.matches(":hover, :focus-within"))) return undefined;
  const top = Math.min(...toasts.map((t) => t.getBoundingClientRect().top));
  return toasts.length === 0 ? 0 : Math.max(0, Math.ceil(window.innerHeight - top + 8));
}

/**
 * Keeps --toasts-reserve up to date while toasts come and go (and once their slide-in ends), and a
 * page scrolled to its end at its end, so the last row moves up above the toasts instead of under them.
 */
function useToastsReserve() {
  useEffect(() => {
    let frame = 0;
    const measure = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        const reserve = toastsReserve();
        const root = document.documentElement;
        if (reserve === undefined || root.style.getPropertyValue(RESERVE) === `${reserve}px`) return;
        const atEnd = window.scrollY + window.innerHeight >= root.scrollHeight - 2;
        root.style.setProperty(RESERVE, `${reserve}px`);
        if (atEnd && window.scrollY > 0) window.scrollTo({ top: root.scrollHeight });
      });
    };
    const observer = new MutationObserver(measure);
    observer.observe(document.body, { childList: true, subtree: true, attributeFilter: ["data-mounted", "data-removed", "data-expanded", "data-visible"] });
    document.addEventListener("transitionend", measure);
    window.addEventListener("resize", measure);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      document.removeEventListener("transitionend", measure);
      window.removeEventListener("resize", measure);
    };
  }, []);
}

/**
 * The page's toasts (sonner, bottom right; across the bottom on phones). They never hide what they
 * are about: pages that mount ToastSpace at their end grow by the toasts' height while toasts show.
 */
export function Toaster() {
  useToastsReserve();
  return <Sonner position="bottom-right" richColors closeButton />;
}

/** Room at the end of a page for the toasts (see Toaster): its last row can always scroll above them. */
export function ToastSpace() {
  return <div aria-hidden data-toast-space style={{ height: `var(${RESERVE}, 0px)` }} />;
}
