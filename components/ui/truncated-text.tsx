"use client";

import { useEffect, useRef, useState } from "react";

/**
 * One line of text cut with an ellipsis when its cell is too narrow. The full text is in the
 * tooltip (hover), and when cut the text can take keyboard focus, which unfolds it in place.
 */
export function TruncatedText({ text, className = "" }: { text: string; className?: string }) {
  const ref = useRef<HTMLSpanElement>(null);
  const [cut, setCut] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    // Unfolded while focused: measuring then would take its focusability away under the user.
    const measure = () => document.activeElement !== el && setCut(el.scrollWidth > el.clientWidth + 1);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [text]);
  return (
    <span
      ref={ref}
      title={text}
      tabIndex={cut ? 0 : undefined}
      data-truncated={cut || undefined}
      className={`block max-w-full truncate focus:overflow-visible focus:whitespace-normal focus:[overflow-wrap:anywhere] ${className}`}
    >
      {text}
    </span>
  );
}
