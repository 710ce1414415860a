"use client";

import { useEffect } from "react";
import { Toaster as Sonner } from "sonner";

/** How much of the window's bottom the toasts take, as a CSS length on <html> (ToastSpace reads it). */
const RESERVE = "--toasts-reserve";

/** sonner's gap between toasts: in a collapsed stack, each toast behind the front one shows this much above it. */
const PEEK = 14;

/**
 * The toasts' share of the window's bottom edge, in px (0 with none): from the top of the front
 * toast (always the lowest, whether the stack is collapsed or spread out under the pointer), plus
 * the edges of the (at most two) shown behind it. Not what a spread-out stack takes: the page does
 * not jump when the pointer happens to rest where a toast appears.
 */
function toastsReserve(): number {
  const toasts = [...document.querySelectorAll<HTMLElement>("[data-sonner-toast]")].filter((t) => t.dataset.removed !== "true" && t.dataset.visible !== "false");
  const front = toasts.find((t) => t.dataset.front === "true") ?? toasts[0];
  if (!front) return 0;
  const behind = Math.min(toasts.length - 1, 2) * PEEK;
  return Math.max(0, Math.ceil(window.innerHeight - front.getBoundingClientRect().top + behind + 8));
}

/**
 * Keeps --toasts-reserve up to date while toasts come and go (and once their slide-in ends); a page
 * whose end is in view scrolls so that its last row moves up above the toasts instead of under them.
 */
function useToastsReserve() {
  useEffect(() => {
    let frame = 0;
    let settled: ReturnType<typeof setTimeout> | undefined;
    const measure = () => {
      cancelAnimationFrame(frame);
      // Once more when sonner's 400 ms slide has surely ended (its transitionend can be missed).
      clearTimeout(settled);
      settled = setTimeout(() => requestAnimationFrame(update), 500);
      frame = requestAnimationFrame(update);
    };
    const update = () => {
      const reserve = toastsReserve();
      const root = document.documentElement;
      if (root.style.getPropertyValue(RESERVE) === `${reserve}px`) return;
      root.style.setProperty(RESERVE, `${reserve}px`);
      // Where the page's content ends (ToastSpace's top): when that end is in view and under the
      // toasts, the page scrolls just enough to bring it above them.
      const end = document.querySelector("[data-toast-space]")?.getBoundingClientRect().top;
      const clear = window.innerHeight - reserve;
      if (end !== undefined && end <= window.innerHeight + 2 && end > clear) window.scrollBy({ top: end - clear });
    };
    const observer = new MutationObserver(measure);
    observer.observe(document.body, { childList: true, subtree: true, attributeFilter: ["data-mounted", "data-removed", "data-front", "data-visible"] });
    document.addEventListener("transitionend", measure);
    window.addEventListener("resize", measure);
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(settled);
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
  // theme "system": dark toasts in the dark theme (the page follows prefers-color-scheme too).
  return <Sonner position="bottom-right" richColors closeButton theme="system" />;
}

/** Room at the end of a page for the toasts (see Toaster): its last row can always scroll above them. */
export function ToastSpace() {
  return <div aria-hidden data-toast-space style={{ height: `var(${RESERVE}, 0px)` }} />;
}
