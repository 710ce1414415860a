"use client";

import { useEffect } from "react";

const PLACES = "[data-focus-fallback], section, main";

/**
 * When the focused control leaves the page (its row deleted, a job's Cancel gone), focus would fall
 * to <body> and a keyboard or screen-reader user would start over from the top. This puts it on
 * the nearest section (or main) that is still there instead. Mounted once per page.
 */
export function FocusRescue() {
  useEffect(() => {
    let places: HTMLElement[] = [];
    const onFocusIn = (event: FocusEvent) => {
      const target = event.target as HTMLElement;
      places = [];
      for (let el = target.closest<HTMLElement>(PLACES); el; el = el.parentElement?.closest<HTMLElement>(PLACES) ?? null) places.push(el);
    };
    const observer = new MutationObserver(() => {
      if (document.activeElement !== document.body || places.length === 0) return;
      // An open modal handles its own focus.
      if (document.querySelector("dialog[open]")) return;
      const place = places.find((p) => p.isConnected);
      places = [];
      if (!place) return;
      if (!place.hasAttribute("tabindex")) place.setAttribute("tabindex", "-1");
      place.focus({ preventScroll: true });
    });
    // A real blur (a click on the page's background) leaves the control on the page: forget the places then.
    const onFocusOut = (event: FocusEvent) => {
      const target = event.target as HTMLElement;
      setTimeout(() => {
        if (target.isConnected && document.activeElement === document.body) places = [];
      }, 0);
    };
    document.addEventListener("focusin", onFocusIn);
    document.addEventListener("focusout", onFocusOut);
    observer.observe(document.body, { childList: true, subtree: true });
    return () => {
      document.removeEventListener("focusin", onFocusIn);
      document.removeEventListener("focusout", onFocusOut);
      observer.disconnect();
    };
  }, []);
  return null;
}
